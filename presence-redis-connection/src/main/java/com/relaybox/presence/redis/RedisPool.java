package com.relaybox.presence.redis;

import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.providers.ConnectionProvider;
import redis.clients.jedis.providers.PooledConnectionProvider;
import redis.clients.jedis.providers.SentineledConnectionProvider;
import redis.clients.jedis.util.Pool;

import javax.net.ssl.SSLParameters;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * A pool of connections to the presence Redis's primary, for the adapters that use it. With
 * Sentinel, Jedis's {@link SentineledConnectionProvider} asks the Sentinels where the primary is
 * at start and listens on every one of them for {@code +switch-master}: after a failover the next
 * connection borrowed goes to the new primary, with no restart. The connections to the old
 * primary fail (it is dead, or it is a replica now and refuses writes with {@code READONLY}); the
 * caller treats that as Redis being unavailable for a moment and tries again.
 *
 * <p>Public only for the Redis adapters: its signature shows Jedis.
 */
public final class RedisPool implements AutoCloseable {
    private final RedisEndpoint endpoint;
    private final ConnectionProvider provider;
    private final UnifiedJedis client;

    private RedisPool(RedisEndpoint endpoint, ConnectionProvider provider) {
        this.endpoint = endpoint;
        this.provider = provider;
        this.client = new UnifiedJedis(provider);
    }

    /**
     * Opens the pool; no connection to Redis is made yet (a Redis down at start is not an error),
     * but with Sentinel one Sentinel must answer where the primary is.
     *
     * @param clientName  the name Redis shows in {@code CLIENT LIST}
     * @param size        connections at most; a borrower waits up to {@code timeout} for one
     * @param timeout     connect timeout, and the longest wait for a free connection
     * @param readTimeout socket read timeout (longer than {@code timeout} for blocking commands)
     * @throws redis.clients.jedis.exceptions.JedisException when no Sentinel answers, or none knows
     *                                                       the master name
     */
    public static RedisPool open(RedisEndpoint endpoint, String clientName, int size, Duration timeout, Duration readTimeout) {
        Objects.requireNonNull(endpoint, "endpoint");
        if (size < 1) throw new IllegalArgumentException("the pool size must be at least 1, got " + size);
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(size);
        pool.setMaxIdle(size);
        pool.setMinIdle(0);
        pool.setBlockWhenExhausted(true);
        pool.setMaxWait(timeout);
        JedisClientConfig redis = clientConfig(endpoint.tls(), endpoint.authToken().orElse(null), clientName, timeout,
                readTimeout);
        if (endpoint.primary() instanceof RedisEndpoint.Server server) {
            return new RedisPool(endpoint, new PooledConnectionProvider(hostAndPort(server.node()), redis, pool));
        }
        RedisEndpoint.Sentinel sentinel = (RedisEndpoint.Sentinel) endpoint.primary();
        Set<HostAndPort> sentinels = new LinkedHashSet<>();
        for (RedisNode node : sentinel.sentinels()) sentinels.add(hostAndPort(node));
        JedisClientConfig sentinelConfig = clientConfig(endpoint.tls(), sentinel.authToken().orElse(null),
                clientName + "-sentinel", timeout, timeout);
        return new RedisPool(endpoint, new SentineledConnectionProvider(sentinel.masterName(), redis, pool, sentinels,
                sentinelConfig));
    }

    private static JedisClientConfig clientConfig(boolean tls, String password, String clientName, Duration timeout,
                                                  Duration readTimeout) {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .ssl(tls)
                .connectionTimeoutMillis((int) timeout.toMillis())
                .socketTimeoutMillis((int) readTimeout.toMillis())
                .clientName(clientName)
                .password(password);
        if (tls) {
            // Verify the server's name as well as its chain, as RelayBox's Node client does.
            SSLParameters parameters = new SSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            config.sslParameters(parameters);
        }
        return config.build();
    }

    private static HostAndPort hostAndPort(RedisNode node) {
        return new HostAndPort(node.host(), node.port());
    }

    public UnifiedJedis client() {
        return client;
    }

    public RedisEndpoint endpoint() {
        return endpoint;
    }

    /** The server the pool connects to now: the one server, or the primary Sentinel last named. */
    public String primary() {
        if (provider instanceof SentineledConnectionProvider sentinel) {
            HostAndPort master = sentinel.getCurrentMaster();
            return master == null ? "unknown" : master.toString();
        }
        return endpoint.describe();
    }

    /**
     * Drops the idle connections: after a failure they are likely dead too (a restart, a failover),
     * so the next borrower connects afresh. Never throws.
     */
    public void dropIdle() {
        try {
            for (Object pool : provider.getConnectionMap().values()) if (pool instanceof Pool<?> idle) idle.clear();
        } catch (RuntimeException ignored) {
            // The pool cleans itself up as it can; the caller's failure is what matters.
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
