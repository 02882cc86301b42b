package io.portcullis.webhook;

import java.io.IOException;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;

/**
 * When Tomcat started reading a request: the first byte of its request line, after the connection's TLS handshake
 * and before headers, body and the servlet. The admission deadline counts from there, so time spent in Tomcat's
 * parsing, in our queue and reading a slow body is part of it; the servlet API alone only shows the request once the
 * controller runs. (The handshake and the wait for the request line are bounded by
 * {@code server.tomcat.connection-timeout} instead.)
 */
final class RequestStart extends ValveBase {

    private static final String ATTRIBUTE = RequestStart.class.getName() + ".nanos";

    RequestStart() {
        super(true);
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        org.apache.coyote.Request coyote = request.getCoyoteRequest();
        if (coyote.getStartInstant() != null) {
            request.setAttribute(ATTRIBUTE, coyote.getStartTimeNanos());
        }
        getNext().invoke(request, response);
    }

    /** {@link System#nanoTime()} when Tomcat started reading the request, or now when that is unknown. */
    static long of(HttpServletRequest http) {
        return http.getAttribute(ATTRIBUTE) instanceof Long nanos ? nanos : System.nanoTime();
    }
}
