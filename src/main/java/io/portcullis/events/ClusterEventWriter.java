package io.portcullis.events;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes violation Events to the API server as core/v1 Events (what Gatekeeper's client-go event recorder writes)
 * from one thread of its own, off the admission and audit paths: {@link #offer} only queues. A full queue drops the
 * event and counts it ({@code portcullis_events_dropped_total}); a write the API server refuses is counted
 * ({@code portcullis_events_failed_total}) and logged at most once a minute.
 */
public final class ClusterEventWriter implements EventSink, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterEventWriter.class);
    private static final long FAILURE_LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final KubernetesClient client;
    private final BlockingQueue<ViolationEvent> queue;
    private final Counter written;
    private final Counter dropped;
    private final Counter failed;
    private final Thread writer;
    private long lastFailureLog = System.nanoTime() - FAILURE_LOG_INTERVAL_NANOS;

    public ClusterEventWriter(KubernetesClient client, int capacity, MeterRegistry registry) {
        this.client = client;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.written = Counter.builder("portcullis_events_written").description("Violation Events written")
                .register(registry);
        this.dropped = Counter.builder("portcullis_events_dropped")
                .description("Violation Events dropped because the queue to the API server was full").register(registry);
        this.failed = Counter.builder("portcullis_events_failed")
                .description("Violation Events the API server did not take").register(registry);
        this.writer = Thread.ofPlatform().daemon().name("portcullis-events").unstarted(this::drain);
        writer.start();
    }

    @Override
    public boolean offer(ViolationEvent event) {
        if (queue.offer(event)) {
            return true;
        }
        dropped.increment();
        return false;
    }

    private void drain() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                write(queue.take());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void write(ViolationEvent event) {
        try {
            client.v1().events().inNamespace(event.namespace()).resource(toEvent(event, Instant.now())).create();
            written.increment();
        } catch (KubernetesClientException | IllegalStateException e) {
            failed.increment();
            long now = System.nanoTime();
            if (now - lastFailureLog >= FAILURE_LOG_INTERVAL_NANOS) {
                lastFailureLog = now;
                log.warn("could not write a violation Event into namespace {} (further failures this minute are only "
                        + "counted in portcullis_events_failed_total): {}", event.namespace(), e.getMessage());
            }
        }
    }

    /** The Event as client-go's recorder makes it: named {@code <involved name>.<unix nanos in hex>}, count 1. */
    static Event toEvent(ViolationEvent event, Instant now) {
        long nanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        String time = DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(ChronoUnit.SECONDS));
        String involvedName = event.involvedObject().name();
        EventBuilder builder = new EventBuilder().withNewMetadata()
                .withNamespace(event.namespace())
                .withAnnotations(event.annotations())
                .endMetadata();
        if (involvedName.isEmpty()) {
            builder.editMetadata().withGenerateName("portcullis-violation-").endMetadata();
        } else {
            builder.editMetadata().withName(involvedName + "." + Long.toHexString(nanos)).endMetadata();
        }
        return builder
                .withNewInvolvedObject()
                .withKind(event.involvedObject().kind())
                .withName(involvedName)
                .withNamespace(event.involvedObject().namespace())
                .withUid(emptyToNull(event.involvedObject().uid()))
                .withResourceVersion(emptyToNull(event.involvedObject().resourceVersion()))
                .endInvolvedObject()
                .withType("Warning")
                .withReason(event.reason())
                .withMessage(event.message())
                .withNewSource().withComponent(event.component()).endSource()
                .withReportingComponent(event.component())
                .withFirstTimestamp(time)
                .withLastTimestamp(time)
                .withCount(1)
                .build();
    }

    private static String emptyToNull(String value) {
        return value.isEmpty() ? null : value;
    }

    @Override
    public void close() {
        writer.interrupt();
    }
}
