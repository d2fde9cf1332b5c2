package dev.meshpipe.gateway;

import dev.meshpipe.common.Topics;
import dev.meshpipe.common.events.JobEvent;
import dev.meshpipe.common.events.JobSubmission;
import dev.meshpipe.common.kafka.EventPublisher;

/** Where the routes send what clients ask for; each call returns once the record is durably written. */
interface JobPublisher {

    void submission(String id, JobSubmission submission) throws Exception;

    void event(String id, JobEvent event) throws Exception;

    /** The service's: the submitted and events topics. */
    static JobPublisher kafka(EventPublisher producer) {
        return new JobPublisher() {
            @Override
            public void submission(String id, JobSubmission submission) throws Exception {
                producer.publishAndWait(Topics.SUBMITTED, id, submission);
            }

            @Override
            public void event(String id, JobEvent event) throws Exception {
                producer.publishAndWait(Topics.EVENTS, id, event);
            }
        };
    }
}
