package io.portcullis.tls;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Runs {@link SecretCertificateRotator#rotate} every {@code portcullis.tls.check-interval} while the server
 * runs (the first check happened before the server started, in {@link CertificateBootstrap}). A failed check
 * (API server unreachable, RBAC) is logged and retried sooner; the certificates in use stay valid meanwhile,
 * because renewal starts months before expiry.
 */
public final class CertificateRotation implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(CertificateRotation.class);
    private static final Duration RETRY = Duration.ofMinutes(1);

    private final SecretCertificateRotator rotator;
    private final Duration interval;
    private final Clock clock;
    private final AutoCloseable onStop;
    private volatile ScheduledExecutorService executor;

    /** @param onStop closes what only this rotation uses (a client it owns); runs after the last check */
    public CertificateRotation(SecretCertificateRotator rotator, Duration interval, Clock clock,
            AutoCloseable onStop) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("portcullis.tls.check-interval must be positive, got " + interval);
        }
        this.rotator = rotator;
        this.interval = interval;
        this.clock = clock;
        this.onStop = onStop;
    }

    @Override
    public synchronized void start() {
        executor = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "certificate-rotation");
            thread.setDaemon(true);
            return thread;
        });
        schedule(interval);
        log.info("Checking the webhook certificates in {} every {}", rotator.describe(), interval);
    }

    @Override
    public synchronized void stop() {
        if (executor == null) {
            return;
        }
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
            onStop.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.debug("Closing after certificate rotation failed", e);
        }
        executor = null;
    }

    @Override
    public boolean isRunning() {
        return executor != null;
    }

    /** Runs one check now, on the caller's thread; the scheduled checks use the same method. */
    public SecretCertificateRotator.Outcome checkNow() {
        SecretCertificateRotator.Outcome outcome = rotator.rotate(clock.instant());
        log(outcome);
        return outcome;
    }

    private void check() {
        Duration next = interval;
        try {
            checkNow();
        } catch (RuntimeException e) {
            next = RETRY.compareTo(interval) < 0 ? RETRY : interval;
            log.warn("Certificate check of {} failed, retrying in {}: {}", rotator.describe(), next, e.toString());
        }
        schedule(next);
    }

    private synchronized void schedule(Duration delay) {
        if (executor != null && !executor.isShutdown()) {
            executor.schedule(this::check, delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    static void log(SecretCertificateRotator.Outcome outcome) {
        CertificateProvisioner.Result result = outcome.result();
        WebhookCaBundle.Result webhooks = outcome.webhooks();
        switch (result.action()) {
            case REUSED -> log.debug("Webhook certificates are fit; valid until {}",
                    result.certificates().certificate().getNotAfter().toInstant());
            case REISSUED -> log.info("Issued a new serving certificate ({}); the CA is unchanged", result.reason());
            case GENERATED -> log.info("Generated a new CA and serving certificate ({})", result.reason());
        }
        if (outcome.trusted().size() > 1) {
            log.info("CA change in progress: the webhook configurations also trust the previous CA ({}) until "
                    + "the serving certificates it signed have expired",
                    outcome.trusted().get(1).getSerialNumber().toString(16));
        }
        if (!webhooks.patched().isEmpty()) {
            log.info("Patched the caBundle of {}", webhooks.patched());
        }
        if (!webhooks.missing().isEmpty()) {
            log.warn("Not found, so their caBundle is not set: {} (install the webhook configurations, or set "
                    + "portcullis.tls.validating-webhook-configuration/mutating-webhook-configuration)",
                    webhooks.missing());
        }
    }
}
