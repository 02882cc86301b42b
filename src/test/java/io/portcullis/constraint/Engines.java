package io.portcullis.constraint;

import io.portcullis.engine.EngineConfig;
import io.portcullis.engine.PolicyEngine;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/** One real engine and template compiler for all tests of the package (compiles are cached by it). */
final class Engines {
    static final PolicyEngine ENGINE = new PolicyEngine(EngineConfig.defaults());
    static final TemplateCompiler COMPILER = new TemplateCompiler(ENGINE);

    private Engines() {
    }

    /** A v1 template of that kind with the given Rego (v0 unless version is "v1") and libs. */
    static ObjectNode template(String kind, String rego, String version, List<String> libs, String schemaJson) {
        ObjectNode t = Json.obj("{'apiVersion':'templates.gatekeeper.sh/v1','kind':'ConstraintTemplate',"
                + "'metadata':{'name':'" + kind.toLowerCase() + "'},"
                + "'spec':{'crd':{'spec':{'names':{'kind':'" + kind + "'}}},"
                + "'targets':[{'target':'admission.k8s.gatekeeper.sh','code':[{'engine':'Rego','source':{}}]}]}}");
        ObjectNode source = (ObjectNode) t.at("/spec/targets/0/code/0/source");
        source.put("rego", rego);
        if (version != null) {
            source.put("version", version);
        }
        libs.forEach(source.withArray("libs")::add);
        if (schemaJson != null) {
            ((ObjectNode) t.at("/spec/crd/spec")).putObject("validation").set("openAPIV3Schema", Json.obj(schemaJson));
        }
        return t;
    }

    /** A template whose parameter schema accepts any parameters. */
    static ObjectNode template(String kind, String rego) {
        return template(kind, rego, null, List.of(), "{'type':'object','x-kubernetes-preserve-unknown-fields':true}");
    }

    static CompiledTemplate compile(ObjectNode template) throws InvalidTemplateException {
        return COMPILER.compile(TemplateParser.parse(template, "test.yaml"));
    }

    static ObjectNode constraint(String kind, String name, String specJson) {
        ObjectNode c = Json.obj("{'apiVersion':'constraints.gatekeeper.sh/v1beta1','kind':'" + kind + "','metadata':{'name':'" + name + "'}}");
        c.set("spec", Json.obj(specJson));
        return c;
    }
}
