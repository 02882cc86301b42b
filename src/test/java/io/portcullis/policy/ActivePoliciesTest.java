package io.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.constraint.GatekeeperConfig;
import io.portcullis.constraint.TemplateCompiler;
import io.portcullis.constraint.Validator;
import io.portcullis.engine.EngineConfig;
import io.portcullis.engine.PolicyEngine;
import io.portcullis.mutation.MutationConfig;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** When a policy set is in force: only after a complete load, and from then on whatever fails later. */
class ActivePoliciesTest {

    private static final PolicyEngine ENGINE = new PolicyEngine(EngineConfig.defaults());
    private static final TemplateCompiler COMPILER = new TemplateCompiler(ENGINE);

    @AfterAll
    static void close() {
        ENGINE.close();
    }

    private static PolicySnapshot snapshot(String problem) {
        return new PolicySnapshot(new Validator(COMPILER), GatekeeperConfig.EMPTY, MutationConfig.EMPTY, List.of(problem));
    }

    @Test
    void nothingIsInForceUntilACompleteLoadIsPublished() {
        ActivePolicies active = new ActivePolicies(COMPILER);
        assertThat(active.notInForce()).contains("policies are not loaded yet");

        PolicySnapshot partial = snapshot("partial");
        active.publishPartial(partial);
        assertThat(active.current()).isSameAs(partial);
        assertThat(active.notInForce()).as("a partial load is readable, not in force").contains("policies are not loaded yet");

        PolicySnapshot complete = snapshot("complete");
        active.publish(complete);
        assertThat(active.current()).isSameAs(complete);
        assertThat(active.notInForce()).isEmpty();
    }

    @Test
    void aFailedFirstLoadSaysWhyAndAFailureAfterAGoodLoadChangesNothing() {
        ActivePolicies active = new ActivePolicies(COMPILER);
        active.loadFailed("cannot list constraint-templates");
        assertThat(active.notInForce()).contains("policies could not be loaded: cannot list constraint-templates");

        PolicySnapshot good = snapshot("good");
        active.publish(good);
        active.loadFailed("cannot list constraint-templates");
        assertThat(active.notInForce()).isEmpty();
        assertThat(active.current()).isSameAs(good);
    }
}
