package io.portcullis.constraint.cel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Gatekeeper's CEL evaluation rules: variables, match conditions, messages, failure policy and cost limits. */
class CelTemplateTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    static JsonNode json(String s) {
        return JSON.readTree(s.replace('\'', '"'));
    }

    static CelTemplate template(String source) {
        return CelTemplate.compile(CelCode.parse(json(source)), "source");
    }

    static CelTemplate.Input input(String operation, String object, String oldObject) {
        return new CelTemplate.Input(JsonCel.of(object == null ? null : json(object)),
                JsonCel.of(oldObject == null ? null : json(oldObject)),
                JsonCel.of(json("{'operation':'" + operation + "'}")), JsonCel.of(null));
    }

    static final Object CONSTRAINT = JsonCel.of(json("{'metadata':{'name':'c'},'spec':{'parameters':{'max':2}}}"));
    static final CelTemplate.Input POD = input("CREATE", "{'metadata':{'name':'p'},'spec':{'replicas':3}}", null);

    @Test
    void messagesComeFromMessageExpressionThenMessageThenTheExpression() {
        CelTemplate t = template("""
                {'validations':[
                  {'expression':'object.spec.replicas <= variables.params.max',
                   'messageExpression':'\\"too many: \\" + string(object.spec.replicas)', 'message':'unused'},
                  {'expression':'false', 'message':'  plain  '},
                  {'expression':' false ', 'messageExpression':'1 == 1 ? \\"a\\\\nb\\" : \\"\\"'},
                  {'expression':'false', 'messageExpression':'object.nope'}]}""");
        assertThat(t.evaluate(POD, CONSTRAINT)).containsExactly("too many: 3", "plain", "failed expression: false",
                "failed expression: false");
    }

    @Test
    void anyObjectIsTheOldObjectOnDeleteWhereObjectIsNull() {
        CelTemplate t = template("{'validations':[{'expression':'object == null && variables.anyObject.metadata.name == \\\"old\\\"'}]}");
        assertThat(t.evaluate(input("DELETE", null, "{'metadata':{'name':'old'}}"), CONSTRAINT)).isEmpty();
    }

    @Test
    void matchConditionsSelectAndVariablesAreSharedAndLazy() {
        CelTemplate t = template("""
                {'matchCondition':[{'name':'big','expression':'variables.replicas > 1'}],
                 'variables':[{'name':'replicas','expression':'object.spec.replicas'},
                              {'name':'broken','expression':'object.nope.deeper'}],
                 'validations':[{'expression':'variables.replicas <= variables.params.max','message':'m'}]}""");
        assertThat(t.evaluate(POD, CONSTRAINT)).containsExactly("m");
        assertThat(t.evaluate(input("CREATE", "{'spec':{'replicas':1}}", null), CONSTRAINT)).isEmpty();
    }

    @Test
    void errorsDenyUnderFailAndAreDroppedUnderIgnore() {
        String validations = "'validations':[{'expression':'object.nope == 1'}]";
        assertThat(template("{" + validations + "}").evaluate(POD, CONSTRAINT)).singleElement().asString()
                .startsWith("expression 'object.nope == 1' resulted in error: ").contains("nope");
        assertThat(template("{'failurePolicy':'Ignore'," + validations + "}").evaluate(POD, CONSTRAINT)).isEmpty();
    }

    @Test
    void exceedingTheCostLimitDeniesEvenUnderIgnore() {
        CelTemplate t = template("""
                {'failurePolicy':'Ignore','validations':[{'expression':
                  'lists.range(3000).all(i, lists.range(3000).all(j, i + j >= 0))'}]}""");
        assertThat(t.evaluate(POD, CONSTRAINT)).containsExactly("operation cancelled: actual cost limit exceeded");
    }

    @Test
    void theBudgetIsSharedByAConstraintsValidations() {
        String heavy = "{'expression':'lists.range(300).all(i, lists.range(200).all(j, i + j >= 0))'}";
        CelTemplate t = template("{'validations':[" + String.join(",", List.of(heavy, heavy, heavy)) + "]}");
        assertThat(t.evaluate(POD, CONSTRAINT)).containsExactly(
                "validation failed due to running out of cost budget, no further validation rules will be run");
    }

    /**
     * cel-go answers {@code has()} on null with false; dev.cel fails. Gatekeeper's {@code variables.params} is null
     * for a constraint without parameters, and the library's K8sPSPHostProcess tests
     * {@code has(variables.params.exemptImages)}: every review was an evaluation error before.
     */
    @Test
    void aPresenceTestOnNullIsFalseAsInCelGo() {
        Object withoutParameters = JsonCel.of(json("{'metadata':{'name':'c'},'spec':{}}"));
        CelTemplate exempt = template("{'variables':[{'name':'exempt','expression':"
                + "'!has(variables.params.exemptImages) ? [] : variables.params.exemptImages'}],"
                + "'validations':[{'expression':'size(variables.exempt) == 1', 'message':'not one exemption'}]}");

        assertThat(exempt.evaluate(POD, withoutParameters)).containsExactly("not one exemption");
        assertThat(exempt.evaluate(POD, JsonCel.of(json("{'spec':{'parameters':{'exemptImages':['a']}}}")))).isEmpty();
        // A null field of the object, inside a macro, and a test on an operand the checker typed as a map.
        CelTemplate fields = template("{'variables':[{'name':'v','expression':'1'}],'validations':["
                + "{'expression':'!has(object.spec.nothing.x)', 'message':'null field'},"
                + "{'expression':'[object.spec.nothing].all(n, !has(n.x))', 'message':'in a macro'},"
                + "{'expression':'has(variables.v)', 'message':'map operand'}]}");
        assertThat(fields.evaluate(input("CREATE", "{'spec':{'nothing':null}}", null), CONSTRAINT)).isEmpty();
        // Testing a field of a string, or selecting one of null, is still an error.
        assertThat(template("{'validations':[{'expression':'has(object.metadata.name.x)'}]}")
                .evaluate(POD, CONSTRAINT)).singleElement().asString()
                .contains("resulted in error: Error resolving field 'x'");
        assertThat(template("{'validations':[{'expression':'variables.params.exemptImages == 1'}]}")
                .evaluate(POD, withoutParameters)).singleElement().asString().contains("resulted in error");
    }

    @Test
    void badSourcesAreRefusedWithGatekeepersWords() {
        assertThatThrownBy(() -> template("{'failurePolicy':'Sometimes'}"))
                .hasMessage("invalid failure policy: unrecognized failure policy: Sometimes");
        assertThatThrownBy(() -> template("{'variables':[{'name':'params','expression':'1'}]}"))
                .hasMessage("invalid variable definition: params an invalid variable name, \"params\" is a reserved keyword");
        assertThatThrownBy(() -> template("{'matchCondition':[{'name':'gatekeeper_internal_x','expression':'true'}]}"))
                .hasMessageStartingWith("invalid match condition: gatekeeper_internal_x is not a valid match condition");
        assertThatThrownBy(() -> template("{'validations':[{'expression':'1 + 1'}]}"))
                .hasMessage("source.validations[0].expression: must evaluate to bool but got int");
        assertThatThrownBy(() -> template("{'validations':[{'expression':'variables.later'}],"
                + "'variables':[{'name':'first','expression':'variables.later'},{'name':'later','expression':'1'}]}"))
                .hasMessageContaining("source.variables[0].expression: compilation failed: ERROR: <input>:1:10: undefined field 'later'");
    }
}
