package io.portcullis.webhook;

import java.io.IOException;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.coyote.ActionCode;

/**
 * Closes the connection after the answer, instead of draining the rest of the body, for a request the controller
 * marked: one whose body was still arriving at its deadline. Tomcat drains an unread body (up to
 * {@code server.tomcat.max-swallow-size}) before it reads the next request on the connection, so that a client
 * answered early still reads its answer; a client that trickles its body would hold the thread for as long as it
 * likes. Tomcat then also tells the client {@code Connection: close}.
 */
final class CloseUndrained extends ValveBase {

    private static final String ATTRIBUTE = CloseUndrained.class.getName();

    CloseUndrained() {
        super(true);
    }

    /** Close this request's connection after the answer, with the rest of its body unread. */
    static void mark(HttpServletRequest http) {
        http.setAttribute(ATTRIBUTE, Boolean.TRUE);
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        getNext().invoke(request, response);
        if (request.getAttribute(ATTRIBUTE) != null) {
            request.getCoyoteRequest().action(ActionCode.DISABLE_SWALLOW_INPUT, null);
        }
    }
}
