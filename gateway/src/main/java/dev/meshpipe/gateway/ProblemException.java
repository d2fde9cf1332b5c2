package dev.meshpipe.gateway;

/** Ends a request with this problem (and optional Retry-After seconds). */
final class ProblemException extends RuntimeException {
    final Problem problem;
    final Integer retryAfterSeconds;
    final int status;

    ProblemException(Problem problem, Integer retryAfterSeconds) {
        this(problem, retryAfterSeconds, problem.status());
    }

    private ProblemException(Problem problem, Integer retryAfterSeconds, int status) {
        super(problem.detail(), null, false, false);
        this.problem = problem;
        this.retryAfterSeconds = retryAfterSeconds;
        this.status = status;
    }

    /** The same problem under another HTTP status (416 has no error code of its own). */
    ProblemException withStatus(int httpStatus) {
        Problem p = new Problem(problem.type(), problem.title(), httpStatus, problem.detail(), problem.instance(),
                problem.code(), problem.extra());
        return new ProblemException(p, retryAfterSeconds, httpStatus);
    }
}
