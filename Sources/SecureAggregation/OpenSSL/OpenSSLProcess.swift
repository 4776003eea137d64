internal import COpenSSL

/// How the process uses libcrypto as a whole.
package enum OpenSSLProcess {
    /// Initialises libcrypto without its exit-time cleanup (`OPENSSL_INIT_NO_ATEXIT`, OpenSSL ≥ 1.1.1),
    /// before any other call.
    ///
    /// Cipher contexts now live as long as the mask workspaces that reuse them, and the thread pool's
    /// threads are still running when `exit` calls OpenSSL's atexit handler, which frees libcrypto's
    /// global state under them: about one run in forty aborted with "double free or corruption" after
    /// its summary was written. The operating system reclaims everything at exit anyway.
    package static func initialiseWithoutExitCleanup() {
        _ = OPENSSL_init_crypto(UInt64(OPENSSL_INIT_NO_ATEXIT), nil)
    }
}
