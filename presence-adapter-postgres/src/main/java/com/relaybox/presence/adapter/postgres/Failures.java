package com.relaybox.presence.adapter.postgres;

import com.relaybox.presence.core.port.out.DependencyUnavailableException;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.Optional;

/** Tells a database that cannot be reached now from a request it will never accept. */
final class Failures {
    private Failures() {
    }

    static Optional<SQLException> sqlCause(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause())
            if (t instanceof SQLException sql) return Optional.of(sql);
        return Optional.empty();
    }

    static Optional<String> sqlState(Throwable failure) {
        return sqlCause(failure).map(SQLException::getSQLState);
    }

    /** The server is down, restarting, unreachable, out of connections, or the pool timed out. */
    static boolean unavailable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientException || t instanceof SQLRecoverableException
                    || t instanceof SQLNonTransientConnectionException) return true;
            if (t instanceof SQLException sql && sql.getSQLState() != null && unavailableState(sql.getSQLState()))
                return true;
        }
        return false;
    }

    private static boolean unavailableState(String state) {
        return state.startsWith("08")          // connection exception
                || state.startsWith("53")      // insufficient resources: too many connections, disk full
                || state.startsWith("57P")     // admin shutdown, crash shutdown, cannot connect now
                || state.startsWith("58")      // system error (I/O)
                || state.equals("40001")       // serialization failure
                || state.equals("40P01")       // deadlock detected
                || state.equals("25006");      // read-only transaction: a failover in progress
    }

    /** A value the database refuses to store (SQL state class 22): bad input, not an outage. */
    static boolean dataException(Throwable failure) {
        return sqlState(failure).map(s -> s.startsWith("22")).orElse(false);
    }

    static RuntimeException translate(String doing, RuntimeException failure) {
        if (failure instanceof DependencyUnavailableException) return failure;
        if (unavailable(failure))
            return new DependencyUnavailableException("PostgreSQL unavailable while " + doing + ": " + rootMessage(failure), failure);
        Optional<String> state = sqlState(failure);
        if (state.isPresent() && (state.get().equals("28P01") || state.get().equals("28000")))
            return new IllegalStateException("PostgreSQL rejected the login while " + doing
                    + " (check the user and password): " + rootMessage(failure), failure);
        if (state.isPresent() && state.get().equals("3D000"))
            return new IllegalStateException("PostgreSQL has no such database (check the database name): " + rootMessage(failure), failure);
        return new IllegalStateException("PostgreSQL failed while " + doing + ": " + rootMessage(failure), failure);
    }

    /** The database's own words (the first SQL exception's message) and the root cause, on one line. */
    static String rootMessage(Throwable failure) {
        Throwable deepest = failure;
        while (deepest.getCause() != null && deepest.getCause() != deepest) deepest = deepest.getCause();
        Throwable root = deepest;
        String rootText = root.getMessage() == null ? root.getClass().getSimpleName()
                : root.getClass().getSimpleName() + ": " + root.getMessage();
        String text = sqlCause(failure).filter(sql -> sql != root && sql.getMessage() != null)
                .map(sql -> sql.getMessage() + " (" + rootText + ")").orElse(rootText);
        return text.replaceAll("\\s+", " ");
    }
}
