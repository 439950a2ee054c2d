//! A deadline on request bodies: the whole body must arrive within the
//! body timeout, counted from the first time the handler reads it (a request
//! waiting for an ingest slot is not counted as slow). The body also holds
//! its client's turn (see `clients`) until it has arrived.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use http_body::{Frame, SizeHint};

/// The body did not arrive within the body timeout.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive within {} s (the server's --body-timeout)", .0.as_secs())]
pub struct BodyTimeout(pub Duration);

/// `inner`, cut with [`BodyTimeout`] once `timeout` has passed since its
/// first read; `turn` is held until the body has arrived (or failed, or is
/// dropped).
pub struct Deadline<T> {
    inner: Body,
    timeout: Duration,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
    turn: Option<T>,
}

impl<T> Deadline<T> {
    pub fn new(inner: Body, timeout: Duration, turn: Option<T>) -> Self {
        Deadline {
            inner,
            timeout,
            sleep: None,
            turn,
        }
    }
}

impl<T: Send + Unpin + 'static> http_body::Body for Deadline<T> {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        if this.inner.is_end_stream() {
            this.turn = None;
            return Pin::new(&mut this.inner).poll_frame(cx).map_err(Into::into);
        }
        let timeout = this.timeout;
        let sleep = this
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        if sleep.as_mut().poll(cx).is_ready() {
            this.turn = None;
            tracing::debug!(seconds = timeout.as_secs(), "request body timed out");
            return Poll::Ready(Some(Err(BodyTimeout(timeout).into())));
        }
        let polled = Pin::new(&mut this.inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None | Some(Err(_)))) || this.inner.is_end_stream() {
            this.turn = None;
        }
        polled.map_err(Into::into)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    /// One byte, then nothing more, ever.
    struct Stalled(bool);

    impl http_body::Body for Stalled {
        type Data = Bytes;
        type Error = std::convert::Infallible;

        fn poll_frame(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
            if self.0 {
                return Poll::Pending;
            }
            self.0 = true;
            Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(b"{")))))
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_that_stalls_is_cut_after_the_timeout() {
        let started = tokio::time::Instant::now();
        let err = Body::new(Deadline::<()>::new(
            Body::new(Stalled(false)),
            Duration::from_secs(5),
            None,
        ))
        .collect()
        .await
        .expect_err("cut");
        assert!(err.to_string().contains("within 5 s"), "{err}");
        assert!(started.elapsed() >= Duration::from_secs(5));
    }

    #[tokio::test]
    async fn a_complete_body_passes_unchanged_and_gives_its_turn_back() {
        let turn = std::sync::Arc::new(());
        let mut body = Deadline::new(
            Body::from("hello"),
            Duration::from_secs(5),
            Some(turn.clone()),
        );
        assert_eq!(std::sync::Arc::strong_count(&turn), 2);
        let frame = body.frame().await.expect("a frame").expect("data");
        assert_eq!(frame.into_data().ok().as_deref(), Some(&b"hello"[..]));
        assert_eq!(
            std::sync::Arc::strong_count(&turn),
            1,
            "the turn is given back once the body has arrived"
        );
    }
}
