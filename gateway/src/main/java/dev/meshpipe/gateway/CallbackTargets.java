package dev.meshpipe.gateway;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.MeshpipeException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;

/**
 * Whether the gateway may call a callback's host: unless the operator allows private addresses,
 * a host that resolves to any loopback, link-local, private, shared (100.64/10), unique-local
 * (fc00::/7), wildcard or multicast address is refused, so a client cannot make the gateway
 * POST into the operator's own network. Checked at the edge (400) and again before each delivery,
 * since DNS answers change.
 */
final class CallbackTargets {
    private CallbackTargets() {}

    /** Nothing, or INVALID_CALLBACK_URL naming why the host may not be called. */
    static void require(String url, boolean allowPrivate) {
        if (allowPrivate) {
            return;
        }
        String host = URI.create(url).getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new MeshpipeException(ErrorCode.INVALID_CALLBACK_URL, "callbackUrl's host " + host + " does not resolve");
        }
        for (InetAddress a : addresses) {
            if (isInternal(a)) {
                throw new MeshpipeException(ErrorCode.INVALID_CALLBACK_URL, "callbackUrl's host " + host
                        + " is a loopback, link-local or private address, which this gateway does not call");
            }
        }
    }

    static boolean isInternal(InetAddress a) {
        if (a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress() || a.isAnyLocalAddress()
                || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (b.length == 4) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first == 0 || (first == 100 && second >= 64 && second < 128) // "this network", carrier-grade NAT
                    || (first == 192 && second == 0 && (b[2] & 0xff) == 0) || first >= 240; // IETF protocol block, reserved
        }
        // fc00::/7, and IPv4-mapped or -compatible forms of the addresses above
        if ((b[0] & 0xfe) == 0xfc) {
            return true;
        }
        boolean mapped = true;
        for (int i = 0; i < 10; i++) {
            mapped &= b[i] == 0;
        }
        if (mapped && ((b[10] == (byte) 0xff && b[11] == (byte) 0xff) || (b[10] == 0 && b[11] == 0))) {
            try {
                return isInternal(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
            } catch (UnknownHostException e) {
                return true;
            }
        }
        return false;
    }
}
