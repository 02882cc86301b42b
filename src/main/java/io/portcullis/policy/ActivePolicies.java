package io.portcullis.policy;

import io.portcullis.constraint.GatekeeperConfig;
import io.portcullis.constraint.TemplateCompiler;
import io.portcullis.constraint.Validator;
import io.portcullis.mutation.MutationConfig;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * The snapshot in force. Until a source publishes one, an empty snapshot enforces nothing; readiness keeps the
 * API server away from the server in that time.
 */
@Component
public class ActivePolicies {
    private volatile PolicySnapshot current;

    public ActivePolicies(TemplateCompiler compiler) {
        this.current = new PolicySnapshot(new Validator(compiler), GatekeeperConfig.EMPTY, MutationConfig.EMPTY, List.of());
    }

    public PolicySnapshot current() {
        return current;
    }

    public void publish(PolicySnapshot snapshot) {
        this.current = snapshot;
    }
}
