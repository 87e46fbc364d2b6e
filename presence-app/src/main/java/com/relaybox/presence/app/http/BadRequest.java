package com.relaybox.presence.app.http;

/** A request the API cannot serve as it is: answered 400 with this one-line message. */
final class BadRequest extends RuntimeException {
    BadRequest(String message) {
        super(message, null, false, false);
    }
}
