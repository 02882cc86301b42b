package io.portcullis.webhook;

import io.portcullis.tls.CertificateBootstrap;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The Spring Boot application behind {@code portcullis serve}. Scans all of {@code io.portcullis}, so the
 * policy loader and handlers of other packages join as ordinary beans.
 *
 * <p>Start it through {@link #application} (or {@link #start}), not a bare {@code SpringApplication}: that is
 * what adds {@link CertificateBootstrap}, which creates the certificates before the HTTPS server loads them.
 */
@SpringBootApplication(scanBasePackages = "io.portcullis")
public class PortcullisServer {

    /**
     * The application built from the given configuration classes, {@code PortcullisServer} itself when none
     * are given. Tests of one part pass a narrower configuration.
     */
    public static SpringApplication application(Class<?>... sources) {
        if (sources.length == 0) {
            sources = new Class<?>[] {PortcullisServer.class};
        }
        SpringApplication application = new SpringApplication(sources);
        application.addListeners(new CertificateBootstrap());
        return application;
    }

    /** Starts the server; {@code args} are Spring arguments such as {@code --server.port=8443}. */
    public static ConfigurableApplicationContext start(String... args) {
        return application().run(args);
    }
}
