// A real Java SunJSSE server for tlsgrade's tests (Java 17, standard library only).
//
// usage: java -cp DIR JavaTlsServer PORT CHAIN.pem KEY.pem [--protocols TLSv1.2,TLSv1.3]
//            [--suites NAME,NAME] [--groups secp521r1,ffdhe2048] [--sigschemes NAME,NAME] [--legacy]
//
// Direct TLS on 127.0.0.1:PORT; after a handshake it writes one line and closes. The key is
// PKCS#8 PEM (EC, RSA, RSASSA-PSS or EdDSA). --groups sets jdk.tls.namedGroups (key exchange
// groups, both versions), --sigschemes jdk.tls.server.SignatureSchemes; --legacy empties jdk.tls.disabledAlgorithms so TLS 1.0/1.1 and the
// old suites can be enabled at all. Unset lists keep SunJSSE's defaults.
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

public class JavaTlsServer {
    public static void main(String[] a) throws Exception {
        String protocols = null, suites = null;
        for (int i = 3; i < a.length; i++) {
            switch (a[i]) {
                case "--protocols": protocols = a[++i]; break;
                case "--suites": suites = a[++i]; break;
                case "--groups": System.setProperty("jdk.tls.namedGroups", a[++i]); break;
                case "--sigschemes":
                    System.setProperty("jdk.tls.server.SignatureSchemes", a[++i]);
                    break;
                case "--legacy": Security.setProperty("jdk.tls.disabledAlgorithms", ""); break;
                default: throw new IllegalArgumentException("unknown option " + a[i]);
            }
        }
        Certificate[] chain = CertificateFactory.getInstance("X.509")
            .generateCertificates(Files.newInputStream(Path.of(a[1]))).toArray(new Certificate[0]);
        String pem = Files.readString(Path.of(a[2]));
        byte[] der = Base64.getMimeDecoder().decode(
            pem.replaceAll("-----[A-Z ]+-----", ""));
        PrivateKey key = null;
        for (String alg : new String[] {"EC", "RSA", "RSASSA-PSS", "EdDSA"}) {
            try {
                key = KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
                break;
            } catch (Exception e) {
                // the next algorithm
            }
        }
        if (key == null) throw new IllegalArgumentException("unreadable key " + a[2]);
        char[] pw = "changeit".toCharArray();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", key, pw, chain);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
        kmf.init(ks, pw);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        SSLServerSocket ss = (SSLServerSocket) ctx.getServerSocketFactory()
            .createServerSocket(Integer.parseInt(a[0]), 64, InetAddress.getByName("127.0.0.1"));
        if (protocols != null) ss.setEnabledProtocols(protocols.split(","));
        if (suites != null) ss.setEnabledCipherSuites(suites.split(","));
        System.out.println("listening");
        while (true) {
            SSLSocket s = (SSLSocket) ss.accept();
            new Thread(() -> {
                try (s) {
                    s.setSoTimeout(20000);
                    s.startHandshake();
                    OutputStream out = s.getOutputStream();
                    out.write("hello from SunJSSE\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (Exception e) {
                    // a failed handshake is what some tests want
                }
            }).start();
        }
    }
}
