package com.relaybox.presence.adapter.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A Lua script shipped next to this class, and the SHA-1 Redis knows it by. */
record LuaScript(String name, String source, String sha) {

    static LuaScript load(String resource) {
        try (InputStream in = LuaScript.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing script resource " + resource);
            byte[] bytes = in.readAllBytes();
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes));
            return new LuaScript(resource, new String(bytes, StandardCharsets.UTF_8), sha);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read script " + resource, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this JVM", e);
        }
    }
}
