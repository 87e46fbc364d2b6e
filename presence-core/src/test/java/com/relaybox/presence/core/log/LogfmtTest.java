package com.relaybox.presence.core.log;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LogfmtTest {

    @Test
    void aPlainWordStaysAsItIs() {
        assertThat(Logfmt.quote("127.0.0.1:6379")).isEqualTo("127.0.0.1:6379");
    }

    @Test
    void anythingElseIsQuotedAndStaysOnOneLine() {
        assertThat(Logfmt.quote("")).isEqualTo("\"\"");
        assertThat(Logfmt.quote("two words")).isEqualTo("\"two words\"");
        assertThat(Logfmt.quote("a=b")).isEqualTo("\"a=b\"");
        assertThat(Logfmt.quote("say \"hi\" \\ there")).isEqualTo("\"say \\\"hi\\\" \\\\ there\"");
        assertThat(Logfmt.quote("line\nbreak\ttab\u0001")).isEqualTo("\"line\\nbreak\\ttab\\u0001\"");
        assertThat(Logfmt.quote(null)).isEqualTo("null");
    }
}
