//! Server-sent events: a `changes` poke with the new head whenever another device
//! of the workspace pushed (or the server wrote a staff record).

use std::convert::Infallible;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use kith_protocol::sync::{ChangesEvent, EVENT_CHANGES};
use tokio::sync::broadcast::error::RecvError;

use super::{AppState, Reader};

pub async fn events(
    State(state): State<AppState>,
    reader: Reader,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let rx = state.store.subscribe();
    let stop = state.shutdown.subscribe();
    let init = (rx, stop, state, reader);
    let stream =
        futures_util::stream::unfold(init, |(mut rx, mut stop, state, reader)| async move {
            let own = reader.device.as_ref().map(|d| d.device);
            let head = loop {
                // The server is shutting down: end the stream, so the graceful
                // shutdown does not wait for the client to hang up.
                let poke = tokio::select! {
                    p = rx.recv() => p,
                    _ = stop.wait_for(|s| *s) => return None,
                };
                match poke {
                    // A device's own pushes are not news to it.
                    Ok(p)
                        if p.workspace == reader.workspace
                            && (own.is_none() || p.device != own) =>
                    {
                        break p.head
                    }
                    Ok(_) => continue,
                    // Missed some pokes: one with the current head says it all.
                    Err(RecvError::Lagged(_)) => match state.store.head(reader.workspace).await {
                        Ok(h) => break h,
                        Err(_) => return None,
                    },
                    Err(RecvError::Closed) => return None,
                }
            };
            // A stream outlives the request that opened it: end it once the token is
            // revoked.
            if !reader.still_valid(&state).await {
                return None;
            }
            let data = serde_json::to_string(&ChangesEvent { head }).unwrap_or_default();
            let event = Event::default().event(EVENT_CHANGES).data(data);
            Some((Ok(event), (rx, stop, state, reader)))
        });
    Sse::new(stream).keep_alive(KeepAlive::default())
}
