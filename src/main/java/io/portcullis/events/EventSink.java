package io.portcullis.events;

/** Where violation Events go. Never blocks: an Event that cannot be taken now is dropped (and counted). */
public interface EventSink {

    /** Takes the event for writing later; false when it was dropped. */
    boolean offer(ViolationEvent event);
}
