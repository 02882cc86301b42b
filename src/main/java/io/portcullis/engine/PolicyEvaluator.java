package io.portcullis.engine;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.wasm.ChicoryException;
import io.portcullis.engine.PolicyEvaluationException.Reason;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Evaluates a policy against one data document, from any number of threads. It keeps up to
 * {@code maxInstancesPerPolicy} wasm instances with the data already parsed into their memory (re-loading the
 * data per request, as opa-java-wasm's pool does, costs far more than the evaluation). An instance that failed
 * in any way is thrown away, never reused. For new data, make a new evaluator.
 */
public final class PolicyEvaluator {
    private static final ObjectMapper JSON = EngineJson.MAPPER;
    /** 4 MiB: an instance grown more than this by one input is dropped (a few-KiB review grows it far less). */
    private static final int KEPT_GROWTH_PAGES = 64;

    private final LoadedPolicy loaded;
    private final CompiledPolicy policy;
    private final byte[] dataJson;
    private final Duration deadline;
    private final Semaphore permits;
    private final ConcurrentLinkedDeque<WasmInstance> idle = new ConcurrentLinkedDeque<>();

    PolicyEvaluator(LoadedPolicy loaded, JsonNode data) {
        this.loaded = loaded;
        this.policy = loaded.policy();
        this.dataJson = RegoJson.write(data == null ? JSON.createObjectNode() : data, RegoJson.Numbers.INT64_OR_FLOAT64);
        this.deadline = policy.config().evaluationDeadline();
        this.permits = new Semaphore(policy.config().maxInstancesPerPolicy(), true);
        // One instance now: a data document OPA cannot load fails here, and the first request is not slower.
        idle.push(WasmInstance.withData(loaded, dataJson));
    }

    /** The value of the entrypoint for this input, or null when it is undefined. */
    public JsonNode evaluate(String entrypoint, JsonNode input) throws PolicyEvaluationException {
        return evaluate(entrypoint, JSON.writeValueAsBytes(input));
    }

    /** Same, with the input already serialised as JSON (the caller can reuse the bytes across policies). */
    public JsonNode evaluate(String entrypoint, byte[] inputJson) throws PolicyEvaluationException {
        JsonNode resultSet = JSON.readTree(evaluateRaw(entrypoint, inputJson));
        if (!resultSet.isArray() || resultSet.isEmpty()) {
            return null;
        }
        JsonNode value = resultSet.get(0).get("result");
        return value == null || value.isMissingNode() ? null : value;
    }

    /** OPA's raw result set as JSON bytes, {@code [{"result": ...}]} or {@code []}. */
    public byte[] evaluateRaw(String entrypoint, byte[] inputJson) throws PolicyEvaluationException {
        Integer id = policy.entrypointId(entrypoint);
        if (id == null) {
            throw new PolicyEvaluationException(Reason.BAD_REQUEST,
                    "unknown entrypoint " + entrypoint + "; the policy has " + policy.entrypoints());
        }
        long start = System.nanoTime();
        try (Deadline timer = Deadline.start(deadline)) {
            try {
                if (!permits.tryAcquire(deadline.toNanos(), TimeUnit.NANOSECONDS)) {
                    throw new PolicyEvaluationException(Reason.DEADLINE_EXCEEDED,
                            "no policy instance became free within " + deadline.toMillis() + " ms");
                }
            } catch (InterruptedException e) {
                if (!timer.expired()) {
                    Thread.currentThread().interrupt(); // the caller gave up: it must see the flag and stop too
                }
                throw new PolicyEvaluationException(Reason.DEADLINE_EXCEEDED,
                        "evaluation stopped after " + (System.nanoTime() - start) / 1_000_000
                                + " ms waiting for a policy instance", e);
            }
            try {
                return run(id, inputJson, timer, start);
            } finally {
                permits.release();
            }
        }
    }

    private byte[] run(int entrypointId, byte[] inputJson, Deadline timer, long start) throws PolicyEvaluationException {
        WasmInstance instance = idle.poll();
        boolean healthy = false;
        try {
            if (instance == null) {
                instance = WasmInstance.withData(loaded, dataJson);
            }
            byte[] result = instance.evaluate(entrypointId, inputJson, start + deadline.toNanos());
            healthy = true;
            return result;
        } catch (ChicoryInterruptedException e) {
            if (!timer.expired()) {
                // Someone else interrupted the thread (the webhook gave up on the request): keep the flag set so
                // the caller stops too, instead of going on to the next evaluation.
                Thread.currentThread().interrupt();
                throw new PolicyEvaluationException(Reason.DEADLINE_EXCEEDED, "evaluation cancelled after "
                        + (System.nanoTime() - start) / 1_000_000 + " ms: the request's time is up", e);
            }
            throw new PolicyEvaluationException(Reason.DEADLINE_EXCEEDED, "evaluation stopped at its deadline of "
                    + deadline.toMillis() + " ms (ran " + (System.nanoTime() - start) / 1_000_000 + " ms)", e);
        } catch (WasmInstance.MemoryCapException e) {
            throw new PolicyEvaluationException(Reason.MEMORY_LIMIT, e.getMessage(), e);
        } catch (WasmHost.AbortException e) {
            throw new PolicyEvaluationException(isOutOfMemory(e.getMessage()) ? Reason.MEMORY_LIMIT : Reason.RUNTIME_ERROR,
                    policy.errorText().of(e.getMessage()), e);
        } catch (WasmHost.StrictBuiltinException e) {
            throw new PolicyEvaluationException(Reason.RUNTIME_ERROR, e.getMessage(), e);
        } catch (StackOverflowError e) {
            throw new PolicyEvaluationException(Reason.BAD_REQUEST, "the input is nested too deeply to evaluate", null);
        } catch (ChicoryException e) {
            if (String.valueOf(e.getMessage()).contains("call stack exhausted")) {
                // OPA's JSON parser and evaluator recurse per nesting level; wasm's call stack is the limit.
                throw new PolicyEvaluationException(Reason.BAD_REQUEST, "the input is nested too deeply to evaluate", e);
            }
            throw new PolicyEvaluationException(Reason.RUNTIME_ERROR, "wasm evaluation failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (timer.expired()) {
                throw new PolicyEvaluationException(Reason.DEADLINE_EXCEEDED,
                        "evaluation stopped at its deadline of " + deadline.toMillis() + " ms", e);
            }
            throw new PolicyEvaluationException(Reason.RUNTIME_ERROR, "wasm evaluation failed: " + e, e);
        } finally {
            // An instance that grew for a large input keeps that memory for good (linear memory never shrinks);
            // let it go rather than hold megabytes per pooled instance for the next small review.
            if (healthy && !instance.grownPast(KEPT_GROWTH_PAGES)) {
                idle.push(instance);
            }
        }
    }

    private static boolean isOutOfMemory(String message) {
        return message != null && (message.contains("malloc") || message.contains("out of memory"));
    }

    /** Instances currently kept with data loaded (for metrics and tests). */
    public int idleInstances() {
        return idle.size();
    }
}
