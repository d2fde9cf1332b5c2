package dev.meshpipe.gateway;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.common.store.ObjectInfo;
import dev.meshpipe.common.store.ObjectNotFoundException;
import dev.meshpipe.common.store.ObjectStore;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.Optional;

/** Streams a stored object with ETag, Range (one range; several get the whole), If-Range and If-None-Match. */
final class Downloads {
    private final ObjectStore store;

    Downloads(ObjectStore store) {
        this.store = store;
    }

    void serve(Context ctx, boolean head, String key, String type, String etag, String disposition) {
        long size = size(key);
        if (etag != null) {
            ctx.header("ETag", etag);
            if (Conditionals.noneMatchHits(ctx.header("If-None-Match"), etag)) {
                ctx.status(304);
                return;
            }
        }
        ctx.header("Accept-Ranges", "bytes");
        if (disposition != null) {
            ctx.header("Content-Disposition", disposition);
        }
        long start = 0;
        long length = size;
        String range = ctx.header("Range");
        if (range != null && Conditionals.rangeApplies(ctx.header("If-Range"), etag)) {
            ByteRange rg = ByteRange.parse(range, size);
            if (rg.kind() == ByteRange.Kind.UNSATISFIABLE) {
                ctx.header("Content-Range", "bytes */" + size);
                // 416 is HTTP's own answer to a range; the code says what was wrong.
                Problems.answer(ctx, new MeshpipeException(ErrorCode.INVALID_PARAMETER, "range not satisfiable: " + range)
                        .with("size", size), 416);
                return;
            }
            if (rg.kind() == ByteRange.Kind.RANGE) {
                start = rg.first();
                length = rg.length();
                ctx.status(206);
                ctx.header("Content-Range", "bytes " + start + "-" + rg.last() + "/" + size);
            }
        }
        ctx.contentType(type);
        ctx.header("Content-Length", String.valueOf(length));
        if (head) {
            return;
        }
        try {
            ctx.result(store.open(key, start, length));
        } catch (ObjectNotFoundException e) {
            throw ResultRoutes.expired("the result is no longer stored");
        } catch (IOException e) {
            throw RouteContext.storageDown();
        }
    }

    private long size(String key) {
        Optional<ObjectInfo> info;
        try {
            info = store.head(key);
        } catch (IOException e) {
            throw RouteContext.storageDown();
        }
        return info.orElseThrow(() -> ResultRoutes.expired("the result is no longer stored")).size();
    }
}
