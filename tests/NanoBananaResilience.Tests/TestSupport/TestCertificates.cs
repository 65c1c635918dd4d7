using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace NanoBananaResilience.Tests.TestSupport;

/// <summary>Throw-away certificates for https servers on 127.0.0.1, made in the test, trusted only by the test's own handler.</summary>
internal static class TestCertificates
{
    /// <summary>A self-signed certificate for 127.0.0.1, valid from yesterday to tomorrow.</summary>
    public static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }

    /// <summary>Accepts exactly <paramref name="trusted"/>, nothing else: the test's server and no other.</summary>
    public static RemoteCertificateValidationCallback Trust(X509Certificate2 trusted)
        => (_, presented, _, _) => presented is not null && presented.GetCertHashString() == trusted.GetCertHashString();
}
