package io.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class StatusViolationTest {

    private static StatusViolation violation(String namespace, String name, String message) {
        return new StatusViolation("", "v1", "Pod", namespace, name, message, "deny", List.of());
    }

    @Test
    void messagesUpTo256BytesStayWhole() {
        String exact = "x".repeat(256);
        assertThat(StatusViolation.truncate(exact)).isSameAs(exact);
    }

    @Test
    void longerMessagesKeepTheirFirst253BytesAndGetAnEllipsis() {
        String cut = StatusViolation.truncate("y".repeat(300));
        assertThat(cut).isEqualTo("y".repeat(253) + "...");
        assertThat(cut.getBytes(StandardCharsets.UTF_8)).hasSize(256);
    }

    @Test
    void aCharacterAcrossByte253IsLeftOutWhole() {
        // 252 ASCII bytes, then a 2-byte é that would end at byte 254.
        String cut = StatusViolation.truncate("a".repeat(252) + "é".repeat(10));
        assertThat(cut).isEqualTo("a".repeat(252) + "...");
        String emoji = StatusViolation.truncate("😀".repeat(100));
        assertThat(emoji).isEqualTo("😀".repeat(63) + "...");
        assertThat(emoji.getBytes(StandardCharsets.UTF_8).length).isEqualTo(255);
    }

    @Test
    void jsonOmitsAnEmptyNamespaceAndListsScopedActions() {
        var clusterScoped = new StatusViolation("rbac.authorization.k8s.io", "v1", "ClusterRole", "", "admin", "m",
                "scoped", List.of("deny", "warn"));
        var json = clusterScoped.toJson();
        assertThat(json.has("namespace")).isFalse();
        assertThat(json.get("group").asString()).isEqualTo("rbac.authorization.k8s.io");
        assertThat(json.get("enforcementActions").toString()).isEqualTo("[\"deny\",\"warn\"]");
        assertThat(violation("ns", "p", "m").toJson().has("enforcementActions")).isFalse();
    }

    @Test
    void aTallyCountsEveryViolationAndKeepsTheSmallestInGatekeepersOrder() {
        ViolationTally tally = new ViolationTally(3);
        // Arrive in an order unrelated to the ranking.
        for (int i : new int[] {7, 2, 9, 0, 5, 1, 8}) {
            tally.add(violation("ns", "p" + i, "m"));
        }
        tally.add(violation("a-first-namespace", "z", "m"));
        assertThat(tally.total()).isEqualTo(8);
        assertThat(AuditFixtures.names(tally.kept())).containsExactly("z", "p0", "p1");
    }

    @Test
    void equalObjectsAreRankedByMessageThenAction() {
        ViolationTally tally = new ViolationTally(2);
        tally.add(new StatusViolation("", "v1", "Pod", "ns", "p", "b", "deny", List.of()));
        tally.add(new StatusViolation("", "v1", "Pod", "ns", "p", "a", "warn", List.of()));
        tally.add(new StatusViolation("", "v1", "Pod", "ns", "p", "a", "deny", List.of()));
        assertThat(tally.kept()).extracting(StatusViolation::message, StatusViolation::enforcementAction)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a", "deny"), org.assertj.core.groups.Tuple.tuple("a", "warn"));
    }

    @Test
    void aLimitOfZeroKeepsNoneButCountsAll() {
        ViolationTally tally = new ViolationTally(0);
        IntStream.range(0, 5).forEach(i -> tally.add(violation("ns", "p" + i, "m")));
        assertThat(tally.total()).isEqualTo(5);
        assertThat(tally.kept()).isEmpty();
        assertThatThrownBy(() -> new ViolationTally(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
