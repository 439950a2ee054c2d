//! Response bodies written by blocking code (store reads, CSV writing) a
//! chunk at a time, so a large answer is never held whole in memory: the
//! writer waits while the client has not taken the chunks before.

use std::io::{self, Write};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use http_body::Frame;
use tokio::sync::mpsc;

/// Bytes sent to the client at a time.
const CHUNK: usize = 64 << 10;
/// Chunks written ahead of the client.
const AHEAD: usize = 2;
/// How long the writer waits for a client that stops reading.
const STALL: Duration = Duration::from_secs(60);

enum Piece<E> {
    Data(Bytes),
    Failed(E),
}

/// Where blocking code writes the body.
pub struct Chunks<E> {
    tx: mpsc::Sender<Piece<E>>,
    buf: Vec<u8>,
    runtime: tokio::runtime::Handle,
}

impl<E> Chunks<E> {
    fn send(&mut self, piece: Piece<E>) -> io::Result<()> {
        let sent = self
            .runtime
            .block_on(tokio::time::timeout(STALL, self.tx.send(piece)));
        match sent {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the client went away",
            )),
            Err(_) => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client stopped reading",
            )),
        }
    }

    fn send_buffered(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let data = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.send(Piece::Data(data))
    }
}

impl<E> Write for Chunks<E> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send_buffered()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send_buffered()
    }
}

/// Runs `write` on a blocking thread and answers the body it writes. An
/// error before the first chunk is returned here (the request can still be
/// answered with it); a later one is logged and cuts the body short, so the
/// client sees an incomplete answer rather than a short one.
pub async fn body<E>(
    write: impl FnOnce(&mut Chunks<E>) -> Result<(), E> + Send + 'static,
) -> Result<Body, E>
where
    E: std::fmt::Debug + Send + 'static,
{
    let (tx, mut rx) = mpsc::channel(AHEAD);
    let mut chunks = Chunks {
        tx,
        buf: Vec::with_capacity(CHUNK),
        runtime: tokio::runtime::Handle::current(),
    };
    tokio::task::spawn_blocking(move || {
        let failed = match write(&mut chunks) {
            Ok(()) => match chunks.send_buffered() {
                Ok(()) => return,
                Err(e) => {
                    tracing::debug!(error = %e, "streamed answer not finished");
                    return;
                }
            },
            Err(e) => e,
        };
        let _ = chunks.send(Piece::Failed(failed));
    });
    match rx.recv().await {
        None => Ok(Body::empty()),
        Some(Piece::Failed(e)) => Err(e),
        Some(Piece::Data(first)) => Ok(Body::new(Streamed {
            first: Some(first),
            rx,
        })),
    }
}

struct Streamed<E> {
    first: Option<Bytes>,
    rx: mpsc::Receiver<Piece<E>>,
}

impl<E: std::fmt::Debug + Send + 'static> http_body::Body for Streamed<E> {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        if let Some(first) = self.first.take() {
            return Poll::Ready(Some(Ok(Frame::data(first))));
        }
        self.rx.poll_recv(cx).map(|piece| match piece? {
            Piece::Data(data) => Some(Ok(Frame::data(data))),
            Piece::Failed(e) => {
                tracing::error!(error = ?e, "streamed answer cut short");
                Some(Err(io::Error::other("the answer could not be finished")))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_large_body_arrives_whole_in_chunks() {
        let body = body::<String>(|out| {
            for i in 0..100_000u32 {
                writeln!(out, "line {i}").map_err(|e| e.to_string())?;
            }
            Ok(())
        })
        .await
        .expect("body");
        let bytes = body.collect().await.expect("collect").to_bytes();
        let expected: String = (0..100_000u32).map(|i| format!("line {i}\n")).collect();
        assert_eq!(bytes, expected.as_bytes());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_error_before_the_first_chunk_is_answered() {
        let failed = body::<String>(|out| {
            out.write_all(b"partial").map_err(|e| e.to_string())?;
            Err("store failed".into())
        })
        .await;
        assert_eq!(failed.err().as_deref(), Some("store failed"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_error_after_the_first_chunk_cuts_the_body() {
        let body = body::<String>(|out| {
            out.write_all(&vec![b'x'; CHUNK * 3])
                .map_err(|e| e.to_string())?;
            Err("store failed".into())
        })
        .await
        .expect("first chunk");
        assert!(body.collect().await.is_err());
    }
}
