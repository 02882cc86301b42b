package io.portcullis.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The budget's arithmetic: settings, reservations held by several parties, refusals. */
class MemoryBudgetTest {

    private static final long MIB = 1 << 20;

    @Test
    void aShareOfTheHeapOrASize() {
        assertThat(MemoryBudget.of("50%", 512 * MIB).capacity()).isEqualTo(256 * MIB);
        assertThat(MemoryBudget.of(" 12.5 % ", 512 * MIB).capacity()).isEqualTo(64 * MIB);
        assertThat(MemoryBudget.of("300MB", 512 * MIB).capacity()).isEqualTo(300 * MIB);
        for (String bad : new String[] {"0%", "150%", "half", "-5MB", "%"}) {
            assertThatThrownBy(() -> MemoryBudget.of(bad, 512 * MIB)).as(bad)
                    .hasMessageContaining("portcullis.webhook.memory-budget").hasMessageContaining(bad);
        }
    }

    @Test
    void reservationsAreRefusedWhenTheyDoNotFitAndGivenBackWhenTheLastHolderReleases() {
        MemoryBudget budget = new MemoryBudget(100 * MIB);
        MemoryBudget.Reservation first = budget.tryReserve(60 * MIB);
        assertThat(first).isNotNull();
        assertThat(budget.tryReserve(50 * MIB)).as("60 + 50 > 100").isNull();
        assertThat(first.tryGrow(50 * MIB)).isFalse();
        assertThat(first.tryGrow(40 * MIB)).isTrue();
        assertThat(budget.used()).isEqualTo(100 * MIB);

        MemoryBudget.Reservation handler = first.retain();
        first.release();
        assertThat(budget.used()).as("the handler still holds it").isEqualTo(100 * MIB);
        handler.release();
        assertThat(budget.used()).isZero();
        assertThat(first.tryGrow(MIB)).as("a released reservation does not grow").isFalse();
        assertThat(budget.used()).isZero();
    }

    @Test
    void aRefusalSaysWhetherTheReviewCouldEverFit() {
        MemoryBudget budget = new MemoryBudget(64 * MIB);
        Refusal busy = budget.refusal(40 * MIB);
        assertThat(busy.code()).isEqualTo(429);
        assertThat(busy.message()).startsWith("too many requests in flight: the review would need about 40.0 MiB")
                .contains("memory budget of 64.0 MiB is in use by other reviews");
        Refusal never = budget.refusal(80 * MIB);
        assertThat(never.code()).isEqualTo(413);
        assertThat(never.message()).contains("more than the webhook's whole memory budget of 64.0 MiB");
    }

    @Test
    void theCostGrowsWithTheBodysShapeNotOnlyItsSize() {
        byte[] string = ("\"" + "x".repeat(1000) + "\"").getBytes();
        byte[] values = "[1,2,3,4,5,6,7,8,9]".repeat(50).getBytes();
        assertThat(RequestCost.structural(string, 0, string.length)).isZero();
        assertThat(RequestCost.structural(values, 0, values.length)).isEqualTo(50 * 9);
        assertThat(RequestCost.of(values.length, 50 * 9)).isGreaterThan(RequestCost.of(string.length, 0));
    }
}
