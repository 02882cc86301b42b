package io.portcullis.audit;

import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.portcullis.constraint.CompiledTemplate;
import io.portcullis.constraint.Constraint;
import io.portcullis.constraint.GatekeeperConfig;
import io.portcullis.constraint.Gvk;
import io.portcullis.constraint.InvalidConstraintException;
import io.portcullis.constraint.InvalidObjectException;
import io.portcullis.constraint.InvalidTemplateException;
import io.portcullis.json.JsonFields;
import io.portcullis.constraint.TemplateCompiler;
import io.portcullis.constraint.TemplateParser;
import io.portcullis.constraint.Validator;
import io.portcullis.mutation.MutationConfig;
import io.portcullis.policy.PolicySnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.JsonNode;

/**
 * Reads the policies in force in a cluster once, for a one-shot audit: every ConstraintTemplate, the
 * constraints of each, Gatekeeper's Config ({@code config} in the given namespace) and the objects the Config
 * syncs into {@code data.inventory}. The server keeps the same things current with watches instead
 * (io.portcullis.kube). What cannot be loaded (a template that does not compile, an invalid constraint) is
 * recorded in the snapshot's problems and the rest is loaded.
 */
public final class ClusterPolicyReader {
    private static final ListedResource TEMPLATES =
            new ListedResource(TemplateParser.GROUP, "v1", "ConstraintTemplate", "constrainttemplates", false);
    private static final ResourceDefinitionContext CONFIGS = new ResourceDefinitionContext.Builder()
            .withGroup(GatekeeperConfig.GROUP).withVersion("v1alpha1").withKind("Config").withPlural("configs")
            .withNamespaced(true).build();

    private final KubernetesClient client;
    private final TemplateCompiler compiler;
    private final ClusterLister lister;

    public ClusterPolicyReader(KubernetesClient client, TemplateCompiler compiler, int chunkSize) {
        this.client = client;
        this.compiler = compiler;
        this.lister = new ClusterLister(client, chunkSize);
    }

    /**
     * @param configNamespace where Gatekeeper's Config object lives
     * @throws KubernetesClientException when the templates cannot be listed at all
     */
    public PolicySnapshot read(String configNamespace) {
        List<String> problems = new ArrayList<>();
        Validator validator = new Validator(compiler);
        lister.forEach(TEMPLATES, template -> {
            try {
                validator.addTemplate(TemplateParser.parse(template, "ConstraintTemplate " + JsonFields.name(template)));
            } catch (InvalidTemplateException e) {
                problems.add("ConstraintTemplate " + JsonFields.name(template) + ": " + e.getMessage());
            }
        });
        for (CompiledTemplate template : validator.templates()) {
            String kind = template.template().kind();
            ListedResource constraints = new ListedResource(Constraint.GROUP, "v1beta1", kind,
                    kind.toLowerCase(Locale.ROOT), false);
            try {
                lister.forEach(constraints, constraint -> {
                    try {
                        validator.addConstraint(constraint);
                    } catch (InvalidConstraintException e) {
                        problems.add(kind + " " + JsonFields.name(constraint) + ": " + e.getMessage());
                    }
                });
            } catch (KubernetesClientException e) {
                problems.add("listing " + constraints + ": " + e.getMessage());
            }
        }
        GatekeeperConfig config = readConfig(configNamespace, problems);
        for (Gvk gvk : config.syncOnly()) {
            sync(gvk, config, validator, problems);
        }
        validator.prepare(Duration.ZERO); // one module for all templates: each object is parsed once
        return new PolicySnapshot(validator, config, MutationConfig.EMPTY, problems);
    }

    private GatekeeperConfig readConfig(String namespace, List<String> problems) {
        try {
            GenericKubernetesResource found = client.genericKubernetesResources(CONFIGS).inNamespace(namespace)
                    .withName(GatekeeperConfig.NAME).get();
            if (found == null) {
                return GatekeeperConfig.EMPTY;
            }
            return GatekeeperConfig.parse(client.getKubernetesSerialization().convertValue(found, JsonNode.class));
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                problems.add("reading Config " + namespace + "/" + GatekeeperConfig.NAME + ": " + e.getMessage());
            }
            return GatekeeperConfig.EMPTY;
        } catch (InvalidObjectException e) {
            problems.add("Config " + namespace + "/" + GatekeeperConfig.NAME + ": " + e.getMessage());
            return GatekeeperConfig.EMPTY;
        }
    }

    /** Puts every object of a synced kind into the inventory, except in namespaces Config excludes from sync. */
    private void sync(Gvk gvk, GatekeeperConfig config, Validator validator, List<String> problems) {
        try {
            APIResourceList resources = client.getApiResources(gvk.groupVersion());
            APIResource resource = resources == null || resources.getResources() == null ? null
                    : resources.getResources().stream()
                            .filter(r -> gvk.kind().equals(r.getKind()) && !r.getName().contains("/"))
                            .findFirst().orElse(null);
            if (resource == null) {
                problems.add("syncing " + gvk + ": the API server does not serve it");
                return;
            }
            ListedResource listed = new ListedResource(gvk.group(), gvk.version(), gvk.kind(), resource.getName(),
                    Boolean.TRUE.equals(resource.getNamespaced()));
            lister.forEach(listed, object -> {
                if (config.isExcluded(GatekeeperConfig.Process.SYNC, object, null)) {
                    return;
                }
                try {
                    validator.addData(object);
                } catch (InvalidObjectException e) {
                    problems.add("syncing " + gvk + " " + JsonFields.describe(object) + ": " + e.getMessage());
                }
            });
        } catch (KubernetesClientException e) {
            problems.add("syncing " + gvk + ": " + e.getMessage());
        }
    }
}
