package io.portcullis.policy;

import io.portcullis.expansion.ExpansionSystem;
import io.portcullis.constraint.GatekeeperConfig;
import io.portcullis.constraint.Validator;
import io.portcullis.mutation.MutationConfig;
import java.util.List;

/**
 * Everything the webhooks decide with, taken as a whole so one request never sees half of a reload.
 *
 * @param validator templates, constraints and the inventory
 * @param config Gatekeeper's Config (process exclusions, sync)
 * @param mutation mutators, profiles and profile bindings
 * @param problems what could not be loaded (file and reason), for logs and status
 * @param expansion the ExpansionTemplates in force
 */
public record PolicySnapshot(Validator validator, GatekeeperConfig config, MutationConfig mutation, List<String> problems,
        ExpansionSystem expansion) {
    public PolicySnapshot {
        problems = List.copyOf(problems);
    }

    /** Without ExpansionTemplates. */
    public PolicySnapshot(Validator validator, GatekeeperConfig config, MutationConfig mutation, List<String> problems) {
        this(validator, config, mutation, problems, ExpansionSystem.EMPTY);
    }
}
