//! The write queue shared by both stores: requests put their records (or a
//! batch of re-assessments) on it and wait; a writer takes what is queued
//! into one transaction (group commit) and answers after the commit.

use tokio::sync::{mpsc, oneshot};

use super::{NewRecord, Reassessed, StoreError, Stored};

/// Jobs taken into one transaction at most.
pub const MAX_GROUP: usize = 1024;

/// Writes waiting for the writer; more are refused as busy.
pub const QUEUE: usize = 16_384;

pub enum Job {
    Put(
        Vec<NewRecord>,
        oneshot::Sender<Result<Vec<Stored>, StoreError>>,
    ),
    Reassess(Vec<Reassessed>, oneshot::Sender<Result<usize, StoreError>>),
}

/// What one job's write gave.
pub enum Outcome {
    Put(Vec<Stored>),
    Reassess(usize),
}

/// Puts a job on the queue; a full queue is [`StoreError::Busy`].
pub fn send(queue: Option<&mpsc::Sender<Job>>, job: Job) -> Result<(), StoreError> {
    let queue = queue.ok_or(StoreError::Closed)?;
    queue.try_send(job).map_err(|e| match e {
        mpsc::error::TrySendError::Full(_) => StoreError::Busy,
        mpsc::error::TrySendError::Closed(_) => StoreError::Closed,
    })
}

/// The jobs queued after `first`, up to [`MAX_GROUP`] together.
pub fn group(first: Job, rx: &mut mpsc::Receiver<Job>) -> Vec<Job> {
    let mut jobs = vec![first];
    while jobs.len() < MAX_GROUP {
        match rx.try_recv() {
            Ok(job) => jobs.push(job),
            Err(_) => break,
        }
    }
    jobs
}

/// Answers every job of a group: its outcome once committed, or the error
/// that rolled the group back (a full disk as [`StoreError::Full`]).
pub fn answer(jobs: Vec<Job>, result: Result<Vec<Outcome>, StoreError>) {
    let count = jobs.len();
    match result {
        Ok(outcomes) => {
            tracing::debug!(jobs = count, "group committed");
            for (job, outcome) in jobs.into_iter().zip(outcomes) {
                match (job, outcome) {
                    (Job::Put(_, ack), Outcome::Put(stored)) => {
                        let _ = ack.send(Ok(stored));
                    }
                    (Job::Reassess(_, ack), Outcome::Reassess(n)) => {
                        let _ = ack.send(Ok(n));
                    }
                    _ => {}
                }
            }
        }
        Err(e) => {
            let full = e.is_full();
            if full {
                tracing::error!(error = %e, jobs = count, "write failed: no space left; writes are refused until there is");
            } else {
                tracing::error!(error = %e, jobs = count, "write failed");
            }
            let message = e.to_string();
            let err = || {
                if full {
                    StoreError::Full(message.clone())
                } else {
                    StoreError::Damaged(message.clone())
                }
            };
            for job in jobs {
                match job {
                    Job::Put(_, ack) => {
                        let _ = ack.send(Err(err()));
                    }
                    Job::Reassess(_, ack) => {
                        let _ = ack.send(Err(err()));
                    }
                }
            }
        }
    }
}
