package com.relaybox.presence.app.wiring;

import jakarta.inject.Qualifier;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a port as the adapter provides it, before the app wraps it (in a metered decorator).
 * Adapter modules bind {@code @Adapter PresenceStore}, {@code @Adapter PresenceBroadcaster} and
 * {@code @Adapter HistoryRecorder}; everything else injects the unmarked, wrapped ports.
 */
@Qualifier
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.PARAMETER, ElementType.FIELD})
public @interface Adapter {
}
