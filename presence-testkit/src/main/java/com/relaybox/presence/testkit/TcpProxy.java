package com.relaybox.presence.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy of the test's own on a free port of 127.0.0.1, in front of a server, that can cut
 * the connections open through it the way a network partition (or a peer frozen past its
 * heartbeat) looks from the server: {@link #partitionOpenConnections()} closes the server's end,
 * so the server sees its client go, while the client's end stays open, hears nothing more and has
 * what it sends dropped, so the client finds out only by its own timeouts. Connections made after
 * that go through as before.
 */
public final class TcpProxy implements AutoCloseable {
    private final ServerSocket server;
    private final String targetHost;
    private final int targetPort;
    private final List<Link> links = new CopyOnWriteArrayList<>();

    public TcpProxy(String targetHost, int targetPort) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread acceptor = new Thread(this::accept, "tcp-proxy-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Cuts every connection open now off from the server, as described above; returns how many. */
    public int partitionOpenConnections() {
        int cut = 0;
        for (Link link : links) {
            if (link.partitioned) continue;
            link.partitioned = true;
            closeQuietly(link.upstream);
            cut++;
        }
        return cut;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(targetHost, targetPort);
                Link link = new Link(client, upstream);
                links.add(link);
                pump(link, client, upstream, true);
                pump(link, upstream, client, false);
            } catch (IOException e) {
                // closed, or the server refused: the client sees its connection fail
            }
        }
    }

    private void pump(Link link, Socket from, Socket to, boolean fromClient) {
        Thread pump = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream()) {
                OutputStream out = to.getOutputStream();
                for (int read; (read = in.read(buffer)) >= 0; ) {
                    if (link.partitioned) continue;     // lost on the way
                    out.write(buffer, 0, read);
                    out.flush();
                }
            } catch (IOException e) {
                // one end went
            }
            // The client's end is closed only when the client closes it, never for the server's sake.
            if (fromClient || !link.partitioned) {
                closeQuietly(link.client);
                closeQuietly(link.upstream);
                links.remove(link);
            }
        }, "tcp-proxy-pump");
        pump.setDaemon(true);
        pump.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // already closed
        }
        for (Link link : links) {
            closeQuietly(link.client);
            closeQuietly(link.upstream);
        }
    }

    private static final class Link {
        final Socket client;
        final Socket upstream;
        volatile boolean partitioned;

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }
    }
}
