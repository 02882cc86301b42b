package io.portcullis.policy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/info} shows what is in force and what could not be loaded ({@code policies.problems}: file,
 * object and reason, e.g. a template's Rego error with its line and column). A problem does not make the server
 * unready, since everything else still loads, so it is shown here and logged rather than in the readiness probe.
 */
@Component
public class PolicyInfoContributor implements InfoContributor {
    private final ActivePolicies policies;

    public PolicyInfoContributor(ActivePolicies policies) {
        this.policies = policies;
    }

    @Override
    public void contribute(Info.Builder builder) {
        PolicySnapshot snapshot = policies.current();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("templates", snapshot.validator().templates().size());
        details.put("constraints", snapshot.validator().constraints().size());
        details.put("mutators", snapshot.mutation().mutators().mutators().size());
        details.put("profileBindings", snapshot.mutation().bindings().size());
        details.put("problems", snapshot.problems());
        builder.withDetail("policies", details);
    }
}
