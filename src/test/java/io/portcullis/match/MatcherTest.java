package io.portcullis.match;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.match.Matcher.Source;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Gatekeeper's match criteria one by one (behaviour notes §2.2-2.3), as constraints and mutators both use them.
 * Holds the cases of the two former implementations' tests (constraint.MatcherTest and mutation.MatchTest).
 */
class MatcherTest {
    /** JSON with single quotes for readability in Java strings. */
    static final class Json {
        private static final JsonMapper MAPPER = JsonMapper.builder().build();

        static JsonNode obj(String json) {
            return MAPPER.readTree(json.replace('\'', '"'));
        }

        static JsonNode node(String json) {
            return obj(json);
        }
    }

    static final JsonNode POD = Json.obj("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'web-1','namespace':'team-a','labels':{'app':'web','tier':'front'}}}");
    static final JsonNode DEPLOYMENT = Json.obj("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web','namespace':'team-a'}}");
    static final JsonNode NODE = Json.obj("{'apiVersion':'v1','kind':'Node','metadata':{'name':'node-1','labels':{'zone':'a'}}}");
    static final JsonNode NAMESPACE = Json.obj("{'apiVersion':'v1','kind':'Namespace','metadata':{'name':'team-a','labels':{'env':'prod'}}}");
    static final JsonNode TEAM_A = NAMESPACE;
    static final JsonNode PROD = Json.obj("{'apiVersion':'v1','kind':'Namespace','metadata':{'name':'prod','labels':{'env':'prod'}}}");
    static final JsonNode PROD_POD = Json.obj("{'apiVersion':'v1','kind':'Pod','metadata':{'generateName':'web-','namespace':'prod','labels':{'app':'web'}}}");
    static final JsonNode CLUSTER_ROLE = Json.obj("{'apiVersion':'rbac.authorization.k8s.io/v1','kind':'ClusterRole','metadata':{'name':'viewer'}}");

    static Match match(String json) {
        List<String> errors = new ArrayList<>();
        Match m = Match.parse(Json.obj(json), errors);
        assertThat(errors).isEmpty();
        return m;
    }

    static boolean matches(String match, JsonNode obj, JsonNode ns) throws MatchException {
        return Matcher.matches(match(match), obj, ns, Source.ORIGINAL);
    }

    @Test
    void anAbsentOrEmptyMatchSelectsEverything() throws MatchException {
        assertThat(Matcher.matches(Match.parse(null, new ArrayList<>()), NODE, null, Source.ORIGINAL)).isTrue();
        assertThat(matches("{}", POD, TEAM_A)).isTrue();
        assertThat(matches("{'kinds':[],'namespaces':[],'excludedNamespaces':[],'name':''}", NODE, null)).isTrue();
    }

    @Nested
    class Kinds {
        @Test
        void kindAndGroupMustBothMatchOneEntry() throws MatchException {
            assertThat(matches("{'kinds':[{'apiGroups':[''],'kinds':['Pod']}]}", POD, null)).isTrue();
            assertThat(matches("{'kinds':[{'apiGroups':['apps'],'kinds':['Pod']}]}", POD, null)).isFalse();
            assertThat(matches("{'kinds':[{'apiGroups':[''],'kinds':['Deployment']}]}", DEPLOYMENT, null)).isFalse();
            assertThat(matches("{'kinds':[{'apiGroups':[''],'kinds':['Service']},{'apiGroups':['apps'],'kinds':['Deployment']}]}",
                    DEPLOYMENT, null)).isTrue();
        }

        @Test
        void starOrEmptyListsMatchAnyKindOrGroup() throws MatchException {
            assertThat(matches("{'kinds':[{'apiGroups':['*'],'kinds':['Deployment']}]}", DEPLOYMENT, null)).isTrue();
            assertThat(matches("{'kinds':[{'apiGroups':['apps'],'kinds':['*']}]}", DEPLOYMENT, null)).isTrue();
            assertThat(matches("{'kinds':[{'kinds':['Deployment']}]}", DEPLOYMENT, null)).isTrue();
            assertThat(matches("{'kinds':[{'apiGroups':['apps']}]}", DEPLOYMENT, null)).isTrue();
            assertThat(matches("{'kinds':[{'apiGroups':['apps']}]}", POD, null)).isFalse();
            assertThat(matches("{'kinds':[{'apiGroups':['*'],'kinds':[]}]}", CLUSTER_ROLE, null)).isTrue();
        }

        @Test
        void aNullEntryIsTheCoreGroup() throws MatchException {
            // The constraint CRD declares kinds' items nullable, and Go decodes null into "".
            assertThat(matches("{'kinds':[{'apiGroups':[null],'kinds':['Pod']}]}", POD, null)).isTrue();
            assertThat(matches("{'kinds':[{'apiGroups':[null],'kinds':['Deployment']}]}", DEPLOYMENT, null)).isFalse();
        }

        @Test
        void versionsAreIgnored() throws MatchException {
            JsonNode v2 = Json.obj("{'apiVersion':'apps/v2beta7','kind':'Deployment','metadata':{'name':'x'}}");
            assertThat(matches("{'kinds':[{'apiGroups':['apps'],'kinds':['Deployment']}]}", v2, null)).isTrue();
        }
    }

    @Nested
    class Scope {
        @Test
        void clusterSelectsClusterScopedObjectsAndNamespaces() throws MatchException {
            assertThat(matches("{'scope':'Cluster'}", NODE, null)).isTrue();
            assertThat(matches("{'scope':'Cluster'}", NAMESPACE, null)).isTrue();
            assertThat(matches("{'scope':'Cluster'}", POD, null)).isFalse();
        }

        @Test
        void namespacedSelectsObjectsInANamespaceButNotNamespaces() throws MatchException {
            assertThat(matches("{'scope':'Namespaced'}", POD, null)).isTrue();
            assertThat(matches("{'scope':'Namespaced'}", NAMESPACE, null)).isFalse();
            assertThat(matches("{'scope':'Namespaced'}", NODE, null)).isFalse();
            // A resolved Namespace counts as having one even if the object omits metadata.namespace.
            JsonNode bare = Json.obj("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p'}}");
            assertThat(matches("{'scope':'Namespaced'}", bare, TEAM_A)).isTrue();
            assertThat(matches("{'scope':'Cluster'}", bare, TEAM_A)).isFalse();
        }

        @Test
        void starEmptyAndTyposSelectEverything() throws MatchException {
            for (String scope : List.of("*", "", "cluster", "Namespace")) {
                assertThat(matches("{'scope':'" + scope + "'}", NODE, null)).as(scope).isTrue();
                assertThat(matches("{'scope':'" + scope + "'}", POD, null)).as(scope).isTrue();
            }
        }
    }

    @Nested
    class Namespaces {
        @Test
        void exactPrefixSuffixAndContainsGlobs() throws MatchException {
            assertThat(matches("{'namespaces':['team-a']}", POD, null)).isTrue();
            assertThat(matches("{'namespaces':['team-b']}", POD, null)).isFalse();
            assertThat(matches("{'namespaces':['team-*']}", POD, null)).isTrue();
            assertThat(matches("{'namespaces':['*-a']}", POD, null)).isTrue();
            assertThat(matches("{'namespaces':['*am-*']}", POD, null)).isTrue();
            assertThat(matches("{'namespaces':['*b*']}", POD, null)).isFalse();
            assertThat(matches("{'namespaces':['kube-*','team-a']}", POD, null)).isTrue();
        }

        @Test
        void globsAgainstTheResolvedNamespace() throws MatchException {
            assertThat(matches("{'namespaces':['pr*']}", PROD_POD, PROD)).isTrue();
            assertThat(matches("{'namespaces':['*od']}", PROD_POD, PROD)).isTrue();
            assertThat(matches("{'namespaces':['*ro*']}", PROD_POD, PROD)).isTrue();
            assertThat(matches("{'namespaces':['pro']}", PROD_POD, PROD)).isFalse();
            assertThat(matches("{'excludedNamespaces':['p*']}", PROD_POD, PROD)).isFalse();
        }

        @Test
        void theResolvedNamespaceWinsOverMetadataNamespace() throws MatchException {
            JsonNode other = Json.obj("{'apiVersion':'v1','kind':'Namespace','metadata':{'name':'other'}}");
            assertThat(matches("{'namespaces':['other']}", POD, other)).isTrue();
            assertThat(matches("{'namespaces':['team-a']}", POD, other)).isFalse();
        }

        @Test
        void aNamespaceIsTestedByItsOwnName() throws MatchException {
            assertThat(matches("{'namespaces':['team-a']}", NAMESPACE, null)).isTrue();
            assertThat(matches("{'excludedNamespaces':['team-*']}", NAMESPACE, null)).isFalse();
        }

        @Test
        void clusterScopedObjectsPassBothNamespaceCriteria() throws MatchException {
            assertThat(matches("{'namespaces':['team-a']}", NODE, null)).isTrue();
            assertThat(matches("{'excludedNamespaces':['*']}", NODE, null)).isTrue();
            assertThat(matches("{'namespaces':['nothing']}", CLUSTER_ROLE, null)).isTrue();
        }

        @Test
        void excludedNamespacesRejectAnyMatchingPattern() throws MatchException {
            assertThat(matches("{'excludedNamespaces':['kube-system']}", POD, null)).isTrue();
            assertThat(matches("{'excludedNamespaces':['kube-system','*-a']}", POD, null)).isFalse();
            assertThat(matches("{'namespaces':['team-*'],'excludedNamespaces':['team-a']}", POD, null)).isFalse();
        }
    }

    @Nested
    class Wildcards {
        @Test
        void starOnlyAtTheEnds() {
            assertThat(Wildcard.matches("*", "")).isTrue();
            assertThat(Wildcard.matches("*", "anything")).isTrue();
            assertThat(Wildcard.matches("abc*", "abcdef")).isTrue();
            assertThat(Wildcard.matches("abc*", "xabc")).isFalse();
            assertThat(Wildcard.matches("*abc", "xxabc")).isTrue();
            assertThat(Wildcard.matches("*abc", "abcx")).isFalse();
            assertThat(Wildcard.matches("*abc*", "xxabcxx")).isTrue();
            assertThat(Wildcard.matches("abc", "abcd")).isFalse();
            assertThat(Wildcard.matches("abc", "abc")).isTrue();
            assertThat(Wildcard.matches("", "")).isTrue();
            assertThat(Wildcard.matches("**", "")).isTrue();
        }

        @Test
        void generateNameOnlyByPrefixOrContains() {
            assertThat(Wildcard.matchesGenerateName("web-*", "web-")).isTrue();
            assertThat(Wildcard.matchesGenerateName("*eb*", "web-")).isTrue();
            assertThat(Wildcard.matchesGenerateName("*-", "web-")).isFalse();
            assertThat(Wildcard.matchesGenerateName("web-", "web-")).isFalse();
            assertThat(Wildcard.matchesGenerateName("web*", "")).isFalse();
        }
    }

    @Nested
    class LabelSelectors {
        @Test
        void matchLabelsAndExpressionsAreAnded() throws MatchException {
            assertThat(matches("{'labelSelector':{'matchLabels':{'app':'web'}}}", POD, null)).isTrue();
            assertThat(matches("{'labelSelector':{'matchLabels':{'app':'db'}}}", POD, null)).isFalse();
            assertThat(matches("{'labelSelector':{'matchLabels':{'app':'web'},'matchExpressions':[{'key':'tier','operator':'In','values':['back']}]}}",
                    POD, null)).isFalse();
        }

        @Test
        void operators() throws MatchException {
            assertThat(matches("{'labelSelector':{'matchExpressions':[{'key':'tier','operator':'In','values':['front','back']}]}}", POD, null)).isTrue();
            assertThat(matches("{'labelSelector':{'matchExpressions':[{'key':'tier','operator':'NotIn','values':['front']}]}}", POD, null)).isFalse();
            assertThat(matches("{'labelSelector':{'matchExpressions':[{'key':'missing','operator':'NotIn','values':['x']}]}}", POD, null))
                    .as("NotIn selects objects without the key").isTrue();
            assertThat(matches("{'labelSelector':{'matchExpressions':[{'key':'app','operator':'Exists'}]}}", POD, null)).isTrue();
            assertThat(matches("{'labelSelector':{'matchExpressions':[{'key':'app','operator':'DoesNotExist'}]}}", POD, null)).isFalse();
            assertThat(matches("{'labelSelector':{'matchExpressions':[{'key':'missing','operator':'In','values':['x']}]}}", POD, null)).isFalse();
            assertThat(matches("{'labelSelector':{'matchExpressions':[{'key':'missing','operator':'DoesNotExist'}]}}", POD, null)).isTrue();
        }

        @Test
        void anEmptySelectorSelectsEverything() throws MatchException {
            assertThat(matches("{'labelSelector':{}}", NODE, null)).isTrue();
        }

        @Test
        void invalidSelectorsAreReportedAsFieldErrors() {
            List<String> errors = new ArrayList<>();
            Match.parse(Json.obj("{'labelSelector':{'matchExpressions':[{'key':'a','operator':'In'},"
                    + "{'key':'b','operator':'Exists','values':['x']},{'key':'c','operator':'Like'}]}}"), errors);
            assertThat(errors).containsExactly(
                    "spec.labelSelector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
                    "spec.labelSelector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                    "spec.labelSelector.matchExpressions[2].operator: Invalid value: \"Like\": not a valid selector operator");
        }

        @Test
        void invalidLabelKeysAndValues() {
            List<String> errors = new ArrayList<>();
            Match.parse(Json.obj("{'labelSelector':{'matchLabels':{'-bad':'ok','good':'bad value'}}}"), errors);
            assertThat(errors).hasSize(2);
            assertThat(errors.get(0)).contains("\"-bad\"");
            assertThat(errors.get(1)).contains("\"bad value\"");
        }

        @Test
        void theNamespaceSelectorIsReportedUnderSpecLabelSelectorAsGatekeeperDoes() {
            List<String> errors = new ArrayList<>();
            Match.parse(Json.obj("{'namespaceSelector':{'matchExpressions':[{'key':'a','operator':'In'}]}}"), errors);
            assertThat(errors).containsExactly(
                    "spec.labelSelector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'");
        }

        @Test
        void malformedSelectorsAreReported() {
            List<String> errors = new ArrayList<>();
            Match.parse(Json.obj("{'labelSelector':{'matchLabels':{'a':1},'matchExpressions':[{'key':'b','operator':'In','values':[2]}]},"
                    + "'namespaceSelector':'env=prod'}"), errors);
            assertThat(errors).containsExactly(
                    "spec.labelSelector.matchLabels.a: Invalid value: 1: must be a string",
                    "spec.labelSelector.matchExpressions[0].values: Invalid value: 2: must be a string",
                    "spec.labelSelector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
                    "spec.labelSelector: Invalid value: must be an object");
        }

        @Test
        void aSelectorThatMustBeValidThrowsWithEveryProblem() {
            assertThat(LabelSelector.parse(null, "spec.podSelector")).isNull();
            assertThat(LabelSelector.parse(Json.node("null"), "spec.podSelector")).isNull();
            assertThat(LabelSelector.parse(Json.obj("{'matchLabels':{'app':'web'}}"), "spec.podSelector").matchLabels())
                    .containsEntry("app", "web");
            assertThatThrownBy(() -> LabelSelector.parse(
                    Json.obj("{'matchExpressions':[{'key':'app','operator':'Within','values':['web']},{'key':'x','operator':'Exists','values':['y']}]}"),
                    "spec.podSelector"))
                    .isInstanceOf(LabelSelector.InvalidSelectorException.class)
                    .hasMessage("spec.podSelector.matchExpressions[0].operator: Invalid value: \"Within\": not a valid selector operator, "
                            + "spec.podSelector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
        }
    }

    @Nested
    class NamespaceSelector {
        static final String PROD = "{'namespaceSelector':{'matchLabels':{'env':'prod'}}}";

        @Test
        void appliesToTheObjectsNamespace() throws MatchException {
            assertThat(matches(PROD, POD, TEAM_A)).isTrue();
            JsonNode dev = Json.obj("{'apiVersion':'v1','kind':'Namespace','metadata':{'name':'team-a','labels':{'env':'dev'}}}");
            assertThat(matches(PROD, POD, dev)).isFalse();
        }

        @Test
        void aNamespaceIsSelectedByItsOwnLabels() throws MatchException {
            assertThat(matches(PROD, NAMESPACE, null)).isTrue();
            assertThat(matches("{'namespaceSelector':{'matchLabels':{'env':'dev'}}}", NAMESPACE, null)).isFalse();
        }

        @Test
        void clusterScopedObjectsMatch() throws MatchException {
            assertThat(matches(PROD, NODE, null)).isTrue();
            assertThat(matches(PROD, CLUSTER_ROLE, null)).isTrue();
        }

        @Test
        void aNamespacedObjectWithoutItsNamespaceIsAnError() {
            assertThatThrownBy(() -> matches(PROD, POD, null))
                    .isInstanceOf(MatchException.class)
                    .hasMessage("failed to run Match criteria: namespace selector for namespace-scoped object but missing Namespace");
        }
    }

    @Nested
    class Name {
        @Test
        void globOnTheName() throws MatchException {
            assertThat(matches("{'name':'web-1'}", POD, null)).isTrue();
            assertThat(matches("{'name':'web-*'}", POD, null)).isTrue();
            assertThat(matches("{'name':'*-1'}", POD, null)).isTrue();
            assertThat(matches("{'name':'db-*'}", POD, null)).isFalse();
        }

        @Test
        void generateNameMatchesPrefixAndContainsForms() throws MatchException {
            JsonNode generated = Json.obj("{'apiVersion':'v1','kind':'Pod','metadata':{'generateName':'web-','namespace':'x'}}");
            assertThat(matches("{'name':'web-*'}", generated, null)).isTrue();
            assertThat(matches("{'name':'*eb*'}", generated, null)).isTrue();
            assertThat(matches("{'name':'*-'}", generated, null)).as("suffix form does not apply").isFalse();
            assertThat(matches("{'name':'web-'}", generated, null)).as("exact form does not apply").isFalse();
            assertThat(matches("{'name':'web-*'}", PROD_POD, PROD)).isTrue();
        }

        @Test
        void starMatchesAnObjectWithoutAName() throws MatchException {
            // Gatekeeper tests the wildcard against GetName(), which is "" for a generateName-only object.
            JsonNode generated = Json.obj("{'apiVersion':'v1','kind':'Pod','metadata':{'generateName':'web-','namespace':'x'}}");
            JsonNode nameless = Json.obj("{'apiVersion':'v1','kind':'Pod','metadata':{'namespace':'x'}}");
            assertThat(matches("{'name':'*'}", generated, null)).isTrue();
            assertThat(matches("{'name':'*'}", nameless, null)).isTrue();
            assertThat(matches("{'name':'db-*'}", nameless, null)).isFalse();
        }
    }

    @Nested
    class Sources {
        @Test
        void sourceMustEqualTheReviewsUnlessAll() throws MatchException {
            assertThat(Matcher.matches(match("{'source':'All'}"), POD, null, Source.GENERATED)).isTrue();
            assertThat(Matcher.matches(match("{'source':'Original'}"), POD, null, Source.ORIGINAL)).isTrue();
            assertThat(Matcher.matches(match("{'source':'Generated'}"), POD, null, Source.ORIGINAL)).isFalse();
            assertThat(Matcher.matches(match("{'source':'Generated'}"), POD, null, Source.GENERATED)).isTrue();
            assertThat(Matcher.matches(match("{'source':''}"), POD, null, null)).as("empty is All").isTrue();
            assertThat(matches("{'source':'Original'}", PROD_POD, PROD)).isTrue();
        }

        @Test
        void errors() {
            assertThatThrownBy(() -> Matcher.matches(match("{'source':'Original'}"), POD, null, null))
                    .hasMessage("failed to run Match criteria: source field not specified for resource web-1");
            // Parsing rejects an invalid source (below); a Match built in code is still checked, as Gatekeeper does.
            Match mine = new Match(List.of(), "", List.of(), List.of(), null, null, "", "Mine");
            assertThatThrownBy(() -> Matcher.matches(mine, POD, null, Source.ORIGINAL))
                    .hasMessage("failed to run Match criteria: invalid source field \"Mine\"");
        }

        @Test
        void parsingRejectsAnInvalidSourceAsTheCrdEnumDoes() {
            List<String> errors = new ArrayList<>();
            Match.parse(Json.obj("{'source':'Both'}"), errors);
            assertThat(errors).containsExactly(
                    "spec.match.source: Unsupported value: \"Both\": supported values: \"All\", \"Generated\", \"Original\"");
        }
    }

    @Nested
    class Parsing {
        @Test
        void malformedMatchesAreReported() {
            List<String> errors = new ArrayList<>();
            assertThat(Match.parse(Json.node("'everything'"), errors)).isEqualTo(Match.EVERYTHING);
            assertThat(errors).containsExactly("spec.match: Invalid value: must be an object");

            errors.clear();
            Match.parse(Json.obj("{'kinds':{'kinds':['Pod']}}"), errors);
            assertThat(errors).containsExactly("spec.match.kinds: Invalid value: must be an array");

            errors.clear();
            Match.parse(Json.obj("{'kinds':['Pod',{'kinds':[7]}],'namespaces':'prod','excludedNamespaces':[null]}"), errors);
            assertThat(errors).containsExactly(
                    "spec.match.kinds[0]: Invalid value: must be an object",
                    "spec.match.kinds[1].kinds[0]: Invalid value: 7: must be a string",
                    "spec.match.namespaces: Invalid value: must be an array",
                    "spec.match.excludedNamespaces[0]: Invalid value: null: must be a string");
        }

        @Test
        void readsEveryField() {
            Match m = match("{'kinds':[{'apiGroups':['apps'],'kinds':['Deployment']}],'scope':'Namespaced',"
                    + "'namespaces':['a'],'excludedNamespaces':['b'],'labelSelector':{},'namespaceSelector':{'matchLabels':{'x':'y'}},"
                    + "'name':'n*','source':'Generated'}");
            assertThat(m).isEqualTo(new Match(List.of(new Match.KindSelector(List.of("apps"), List.of("Deployment"))),
                    "Namespaced", List.of("a"), List.of("b"), new LabelSelector(Map.of(), List.of()),
                    new LabelSelector(Map.of("x", "y"), List.of()), "n*", "Generated"));
        }
    }

    @Nested
    class Reviews {
        @Test
        void matchesIfEitherObjectOrOldObjectMatches() throws MatchException {
            JsonNode unlabelled = Json.obj("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'web-1','namespace':'team-a'}}");
            Match byLabel = match("{'labelSelector':{'matchLabels':{'app':'web'}}}");
            // A label being removed: the old version is in scope, so the constraint applies.
            assertThat(Matcher.matchesReview(byLabel, unlabelled, POD, null, Source.ORIGINAL)).isTrue();
            assertThat(Matcher.matchesReview(byLabel, POD, null, null, Source.ORIGINAL)).isTrue();
            assertThat(Matcher.matchesReview(byLabel, unlabelled, null, null, Source.ORIGINAL)).isFalse();
        }

        @Test
        void neitherObjectIsAnError() {
            assertThatThrownBy(() -> Matcher.matchesReview(Match.EVERYTHING, Json.node("null"), null, null, Source.ORIGINAL))
                    .hasMessage("invalid request object: neither object nor old object are defined");
        }
    }
}
