package com.relaybox.presence.adapter.bullmq;

import com.relaybox.presence.core.port.out.DependencyUnavailableException;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The worker's steps on one BullMQ queue, each one Lua script (common.lua prepended), run by
 * {@code EVALSHA} and loaded again after {@code NOSCRIPT}. Every Redis failure becomes a
 * {@link DependencyUnavailableException}.
 */
final class QueueScripts {
    private static final String COMMON = read("common.lua");
    static final Script ACQUIRE = Script.load("acquire.lua");
    static final Script TAKE = Script.load("take.lua");
    static final Script RENEW = Script.load("renew.lua");
    static final Script FINISH = Script.load("finish.lua");
    static final Script STALLED = Script.load("stalled.lua");
    static final Script RELEASE = Script.load("release.lua");

    private final UnifiedJedis redis;
    private final String base;

    QueueScripts(UnifiedJedis redis, String keyBase) {
        this.redis = redis;
        this.base = keyBase;
    }

    String key(String name) {
        return base + name;
    }

    String base() {
        return base;
    }

    /** One step: its keys by BullMQ's names (or the lease's), its arguments. */
    Object run(Script script, List<String> keys, List<String> args) {
        List<byte[]> keyBytes = new ArrayList<>(keys.size());
        for (String name : keys) keyBytes.add(bytes(key(name)));
        List<byte[]> argBytes = new ArrayList<>(args.size());
        for (String arg : args) argBytes.add(bytes(arg));
        try {
            try {
                return redis.evalsha(script.sha(), keyBytes, argBytes);
            } catch (JedisDataException e) {
                if (e.getMessage() == null || !e.getMessage().startsWith("NOSCRIPT")) throw e;
                redis.scriptLoad(script.source());
                return redis.evalsha(script.sha(), keyBytes, argBytes);
            }
        } catch (JedisException e) {
            throw unavailable(script.name(), e);
        }
    }

    static DependencyUnavailableException unavailable(String what, JedisException e) {
        return new DependencyUnavailableException("BullMQ " + what + " failed in Redis: " + e.getMessage(), e);
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String text(Object reply) {
        if (reply instanceof byte[] raw) return new String(raw, StandardCharsets.UTF_8);
        return String.valueOf(reply);
    }

    static long number(Object reply) {
        if (reply instanceof Long value) return value;
        return Long.parseLong(text(reply));
    }

    private static String read(String resource) {
        try (InputStream in = QueueScripts.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing script resource " + resource);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read script " + resource, e);
        }
    }

    /** A step's script with the shared prelude, and the SHA-1 Redis knows it by. */
    record Script(String name, String source, byte[] sha) {
        static Script load(String resource) {
            String source = COMMON + "\n" + read(resource);
            try {
                byte[] digest = MessageDigest.getInstance("SHA-1").digest(bytes(source));
                return new Script(resource, source, bytes(HexFormat.of().formatHex(digest)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-1 is missing from this JVM", e);
            }
        }
    }
}
