using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace TestSupport;

/// <summary>Self-signed certificates with their private keys, as a developer registers on an app for ClientCertificateCredential.</summary>
public static class TestCertificates
{
    public static X509Certificate2 Create(string subject = "CN=test-client")
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), password: null);
    }
}
