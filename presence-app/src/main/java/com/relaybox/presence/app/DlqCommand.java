package com.relaybox.presence.app;

import com.relaybox.presence.adapter.rabbitmq.DeadLetters;
import com.relaybox.presence.adapter.rabbitmq.RabbitSettings;
import com.relaybox.presence.app.config.Config;
import com.relaybox.presence.app.config.ConfigException;
import com.relaybox.presence.app.config.Env;
import com.relaybox.presence.app.config.LogConfig;
import com.relaybox.presence.core.log.Logfmt;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * {@code java -jar presence-app.jar dlq list|replay [--limit N] [--dry-run]}: the operator's view of
 * {@code presence-dlq}, one {@code key=value} line per letter and one summary line. Reads only
 * {@code RABBIT_MQ_CONNECTION_STRING}, {@code RABBIT_MQ_ADDRESSES} and {@code RABBIT_MQ_QUEUE_COUNT} (environment or {@code .env}).
 * Exit 0 when done, 1 when the broker failed (a replay says how far it got), 2 for a usage or
 * configuration mistake.
 */
final class DlqCommand {
    static final String USAGE = "usage: java -jar presence-app.jar dlq list|replay [--limit N] [--dry-run]";

    private final PrintStream out;

    private DlqCommand(PrintStream out) {
        this.out = out;
    }

    private record Arguments(String action, int limit, boolean dryRun) {
    }

    /** @param dotEnv read as at a start: the environment wins */
    static int run(List<String> args, Map<String, String> environment, Path dotEnv, PrintStream out) {
        return new DlqCommand(out).run(args, environment, dotEnv);
    }

    private int run(List<String> args, Map<String, String> environment, Path dotEnv) {
        Arguments arguments;
        RabbitSettings settings;
        try {
            arguments = parse(args);
            settings = Config.deadLetterTool(Env.load(environment, dotEnv)).withConnectionName("presence-dlq-tool");
        } catch (UsageError e) {
            out.println("event=usage_error problem=" + Logfmt.quote(e.getMessage()));
            out.println(USAGE);
            return Main.EXIT_CONFIG;
        } catch (ConfigException e) {
            out.println("event=config_error variable=" + Logfmt.quote(e.variable()) + " problem=" + Logfmt.quote(e.problem()));
            return Main.EXIT_CONFIG;
        }
        // Connection lines and the like only when something is wrong: the output is the letters.
        Logging.apply(new LogConfig("warn", false));
        try (DeadLetters letters = DeadLetters.open(settings)) {
            if (arguments.action().equals("list")) return list(letters, arguments.limit(), "dead_letter");
            if (arguments.dryRun()) return list(letters, arguments.limit(), "would_replay");
            return replay(letters, arguments.limit());
        } catch (DependencyUnavailableException e) {
            out.println("event=dlq_failed error=" + Logfmt.quote(String.valueOf(e.getMessage())));
            return 1;
        }
    }

    private int list(DeadLetters letters, int limit, String event) {
        List<DeadLetters.Letter> listed = letters.list(limit);
        for (DeadLetters.Letter letter : listed)
            out.println("event=" + (event.equals("would_replay") && letter.shard().isEmpty() ? "would_keep" : event) + " "
                    + describe(letter));
        long withShard = listed.stream().filter(letter -> letter.shard().isPresent()).count();
        out.println("event=dlq_summary in_dlq=" + letters.depth() + " shown=" + listed.size()
                + (event.equals("would_replay") ? " would_replay=" + withShard + " would_keep=" + (listed.size() - withShard)
                + " dry_run=true" : ""));
        return 0;
    }

    private int replay(DeadLetters letters, int limit) {
        DeadLetters.Replay replay = letters.replay(limit, letter -> out.println("event=replayed " + describe(letter)));
        for (DeadLetters.Letter kept : replay.kept()) out.println("event=kept " + describe(kept));
        String summary = "replayed=" + replay.replayed().size() + " kept=" + replay.kept().size();
        if (replay.failure().isPresent()) {
            out.println("event=replay_stopped " + summary + " error=" + Logfmt.quote(replay.failure().get())
                    + " note=\"every letter not replayed is still in presence-dlq\"");
            return 1;
        }
        out.println("event=dlq_summary " + summary + " in_dlq=" + letters.depth());
        return 0;
    }

    private static String describe(DeadLetters.Letter letter) {
        OptionalInt shard = letter.shard();
        return "job_id=" + Logfmt.quote(letter.jobId().isEmpty() ? "-" : letter.jobId())
                + " type=" + Logfmt.quote(letter.type().isEmpty() ? "-" : letter.type())
                + " queue=" + (shard.isPresent() ? "presence-" + shard.getAsInt() : "none")
                + " bytes=" + letter.bodyBytes()
                + " reason=" + Logfmt.quote(letter.reason());
    }

    private static Arguments parse(List<String> args) {
        if (args.isEmpty() || !(args.get(0).equals("list") || args.get(0).equals("replay")))
            throw new UsageError("dlq needs 'list' or 'replay'" + (args.isEmpty() ? "" : ", got '" + args.get(0) + "'"));
        int limit = Integer.MAX_VALUE;
        boolean dryRun = false;
        for (int i = 1; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--dry-run") && args.get(0).equals("replay")) dryRun = true;
            else if (arg.equals("--limit") && i + 1 < args.size()) limit = positive(args.get(++i));
            else if (arg.startsWith("--limit=")) limit = positive(arg.substring("--limit=".length()));
            else throw new UsageError("unexpected argument '" + arg + "'");
        }
        return new Arguments(args.get(0), limit, dryRun);
    }

    private static int positive(String text) {
        try {
            int limit = Integer.parseInt(text);
            if (limit >= 1) return limit;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageError("--limit must be a whole number of at least 1, got '" + text + "'");
    }

    private static final class UsageError extends RuntimeException {
        UsageError(String message) {
            super(message, null, false, false);
        }
    }
}
