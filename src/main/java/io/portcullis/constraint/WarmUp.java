package io.portcullis.constraint;

import java.time.Duration;
import tools.jackson.databind.json.JsonMapper;

/**
 * Warm-up before traffic: Chicory turns each wasm function into a JVM method, and the JIT needs many calls before
 * it compiles them well (about a minute to full speed under load). Running every constraint against a
 * realistic Pod for a bounded time before the server reports Ready moves the first, slowest part of that out of
 * the first requests.
 */
final class WarmUp {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String POD_REQUEST = """
            {"uid":"00000000-0000-0000-0000-000000000000","kind":{"group":"","version":"v1","kind":"Pod"},
             "resource":{"group":"","version":"v1","resource":"pods"},"namespace":"default","name":"warm-up",
             "operation":"CREATE","userInfo":{"username":"portcullis-warm-up","groups":["system:authenticated"]},
             "object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"warm-up","namespace":"default",
               "labels":{"app":"warm-up","owner":"team"},"annotations":{"note":"synthetic review"}},
               "spec":{"serviceAccountName":"default","hostNetwork":false,
                 "securityContext":{"runAsNonRoot":true,"runAsUser":1000,"seccompProfile":{"type":"RuntimeDefault"}},
                 "initContainers":[{"name":"init","image":"busybox:1.36","command":["sh","-c","true"]}],
                 "containers":[
                   {"name":"app","image":"nginx:1.27","ports":[{"containerPort":8080,"hostPort":8080}],
                    "resources":{"limits":{"cpu":"500m","memory":"128Mi"},"requests":{"cpu":"100m","memory":"64Mi"}},
                    "securityContext":{"allowPrivilegeEscalation":false,"privileged":false,"readOnlyRootFilesystem":true,
                      "capabilities":{"drop":["ALL"],"add":["NET_BIND_SERVICE"]}},
                    "livenessProbe":{"httpGet":{"path":"/healthz","port":8080}},
                    "volumeMounts":[{"name":"data","mountPath":"/data"}],"env":[{"name":"MODE","value":"warm"}]},
                   {"name":"sidecar","image":"example.com/sidecar:latest","resources":{}}],
                 "volumes":[{"name":"data","emptyDir":{}},{"name":"host","hostPath":{"path":"/var/log"}}]}},
             "oldObject":null,"options":{"kind":"CreateOptions","apiVersion":"meta.k8s.io/v1"}}""";
    private static final byte[] POD_REVIEW = serialise();

    private WarmUp() {
    }

    /** {@code input.review} of a Pod CREATE that exercises most Pod templates. */
    static byte[] podReview() {
        return POD_REVIEW;
    }

    /** Runs rounds until the budget is spent (at least one when the budget is positive); answers how many ran. */
    static int run(Runnable round, Duration budget) {
        if (budget.isZero() || budget.isNegative()) {
            return 0;
        }
        long end = System.nanoTime() + budget.toNanos();
        int rounds = 0;
        do {
            round.run();
            rounds++;
        } while (System.nanoTime() < end && !Thread.currentThread().isInterrupted());
        return rounds;
    }

    private static byte[] serialise() {
        try {
            Review review = Review.ofAdmissionRequest(JSON.readTree(POD_REQUEST), null);
            return JSON.writeValueAsBytes(review.input(null));
        } catch (InvalidObjectException e) {
            throw new IllegalStateException("the warm-up review is invalid", e);
        }
    }
}
