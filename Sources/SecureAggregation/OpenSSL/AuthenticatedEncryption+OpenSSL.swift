internal import COpenSSL

func aes256GCMSeal(_ plaintext: [UInt8], key: [UInt8], nonce: [UInt8], associatedData: [UInt8]) throws(CryptoError) -> [UInt8] {
    guard let context = EVP_CIPHER_CTX_new() else { throw openSSLError("EVP_CIPHER_CTX_new") }
    defer { EVP_CIPHER_CTX_free(context) }
    try check(EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce), "EVP_EncryptInit_ex(AES-256-GCM)")
    var length: Int32 = 0
    if !associatedData.isEmpty {
        try check(EVP_EncryptUpdate(context, nil, &length, associatedData, Int32(associatedData.count)), "EVP_EncryptUpdate(AAD)")
    }
    let n = AuthenticatedEncryption.nonceCount
    var box = [UInt8](repeating: 0, count: n + plaintext.count + AuthenticatedEncryption.tagCount)
    let status = box.withUnsafeMutableBufferPointer { box -> Int32 in
        for index in 0..<n { box[index] = nonce[index] }
        let body = box.baseAddress! + n
        guard plaintext.isEmpty || EVP_EncryptUpdate(context, body, &length, plaintext, Int32(plaintext.count)) == 1 else { return 0 }
        var tail: Int32 = 0
        guard EVP_EncryptFinal_ex(context, body + plaintext.count, &tail) == 1 else { return 0 }
        return EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_GET_TAG, Int32(AuthenticatedEncryption.tagCount), body + plaintext.count)
    }
    try check(status, "AES-256-GCM seal")
    return box
}

func aes256GCMOpen(_ box: [UInt8], key: [UInt8], associatedData: [UInt8]) throws(CryptoError) -> [UInt8] {
    guard let context = EVP_CIPHER_CTX_new() else { throw openSSLError("EVP_CIPHER_CTX_new") }
    defer { EVP_CIPHER_CTX_free(context) }
    let n = AuthenticatedEncryption.nonceCount, tagCount = AuthenticatedEncryption.tagCount
    let bodyCount = box.count - n - tagCount
    // One spare block, so the buffer has an address even for an empty message.
    var plaintext = [UInt8](repeating: 0, count: bodyCount + 16)
    let status = box.withUnsafeBufferPointer { box -> Int32 in
        let base = box.baseAddress!
        guard EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, key, base) == 1 else { return -1 }
        var length: Int32 = 0
        if !associatedData.isEmpty {
            guard EVP_DecryptUpdate(context, nil, &length, associatedData, Int32(associatedData.count)) == 1 else { return -1 }
        }
        if bodyCount > 0 {
            guard EVP_DecryptUpdate(context, &plaintext, &length, base + n, Int32(bodyCount)) == 1 else { return -1 }
        }
        let tag = UnsafeMutableRawPointer(mutating: base + n + bodyCount)
        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_SET_TAG, Int32(tagCount), tag) == 1 else { return -1 }
        var tail: Int32 = 0
        return plaintext.withUnsafeMutableBufferPointer { EVP_DecryptFinal_ex(context, $0.baseAddress! + bodyCount, &tail) }
    }
    if status == -1 { throw openSSLError("AES-256-GCM open") }
    guard status == 1 else {
        ERR_clear_error()
        throw .authenticationFailed
    }
    plaintext.removeLast(16)
    return plaintext
}
