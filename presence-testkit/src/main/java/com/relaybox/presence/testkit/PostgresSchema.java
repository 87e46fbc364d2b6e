package com.relaybox.presence.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A schema of its own in database {@code test} of the shared PostgreSQL at 127.0.0.1:5432 (user
 * postgres, trusted), dropped with everything in it afterwards (see {@link ServerFixture} for when).
 * It is not made beforehand: the code under test makes it, as its migrations do in production.
 */
public final class PostgresSchema extends ServerFixture {
    public static final String HOST = "127.0.0.1";
    public static final int PORT = 5432;
    public static final String DATABASE = "test";
    public static final String USER = "postgres";
    public static final String URL = "jdbc:postgresql://" + HOST + ":" + PORT + "/" + DATABASE + "?user=" + USER;
    private static final Pattern PURPOSE = Pattern.compile("[a-z_]{1,30}");

    private final String name;

    private PostgresSchema(String name) {
        this.name = name;
    }

    /** {@code purpose} (lower-case letters and underscores) goes into the name, so a schema left behind tells whose it was. */
    public static PostgresSchema named(String purpose) {
        if (!PURPOSE.matcher(purpose).matches())
            throw new IllegalArgumentException("a schema's purpose is lower-case letters and underscores, got " + purpose);
        return new PostgresSchema("it_" + purpose + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    }

    @Override
    public PostgresSchema create() {
        super.create();
        return this;
    }

    @Override
    void make() {
    }

    @Override
    void remove() {
        execute("DROP SCHEMA IF EXISTS " + name + " CASCADE");
    }

    public String name() {
        return name;
    }

    /** A connection to the test database, as the superuser. */
    public static Connection connect() throws SQLException {
        return DriverManager.getConnection(URL);
    }

    /** Runs one statement in the test database. */
    public static void execute(String sql) {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** The first column of the first row of the query, such as a {@code count(*)}. */
    public static long count(String sql) {
        try (Connection connection = connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }
}
