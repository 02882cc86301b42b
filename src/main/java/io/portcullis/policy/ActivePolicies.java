package io.portcullis.policy;

import io.portcullis.constraint.GatekeeperConfig;
import io.portcullis.constraint.TemplateCompiler;
import io.portcullis.constraint.Validator;
import io.portcullis.mutation.MutationConfig;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The snapshot the webhooks decide with, and whether one is in force at all.
 *
 * <p>Nothing is in force until a source publishes its first complete load: until then the webhooks answer HTTP 503
 * ({@link #notInForce()}), so the webhook's failurePolicy decides as when the server is down, instead of an empty
 * snapshot allowing everything. A source that is still loading (the cluster source lists and compiles for a while)
 * may show its partial snapshot through {@link #publishPartial}; it is readable but not in force. Once a complete
 * load is in force it stays until the next complete one replaces it: a later failure keeps the last good policies.
 */
@Component
public class ActivePolicies {
    private static final Logger log = LoggerFactory.getLogger(ActivePolicies.class);

    /** The answer's message while no load is in force; also what the readiness probe reports then. */
    public static final String NOT_LOADED = "policies are not loaded yet";

    private volatile PolicySnapshot current;
    /** Why no snapshot is in force, or null once one is. */
    private volatile String notInForce = NOT_LOADED;

    public ActivePolicies(TemplateCompiler compiler) {
        this.current = new PolicySnapshot(new Validator(compiler), GatekeeperConfig.EMPTY, MutationConfig.EMPTY, List.of());
    }

    /** The latest snapshot, in force or not (an empty one before any source published). */
    public PolicySnapshot current() {
        return current;
    }

    /** A complete load: from now on admission requests are decided with it. */
    public void publish(PolicySnapshot snapshot) {
        this.current = snapshot;
        this.notInForce = null;
    }

    /** Part of a first load still in progress: readable, but requests are still refused until {@link #publish}. */
    public void publishPartial(PolicySnapshot snapshot) {
        this.current = snapshot;
    }

    /**
     * A load failed as a whole. When good policies are in force they stay; otherwise requests keep being refused,
     * now with this reason.
     */
    public void loadFailed(String reason) {
        if (notInForce != null) {
            notInForce = "policies could not be loaded: " + reason;
            log.warn("no policies in force: {}", notInForce);
        }
    }

    /** Why admission requests cannot be decided now, or empty when a complete load is in force. */
    public Optional<String> notInForce() {
        return Optional.ofNullable(notInForce);
    }
}
