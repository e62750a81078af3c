// The SigV4 signer against the example vectors published in the AWS
// documentation: the IAM ListUsers walk-through (General Reference, "Signature
// Version 4 signing process", canonical request hash, signing key, signature)
// and the S3 "GET Object" example (S3 API Reference, "Signature Calculations
// for the Authorization Header", example with a Range header); then the
// request shapes the s3 workload sends (multipart, LIST with a '/' prefix,
// odd key characters) against botocore, AWS's own Python signer, when the
// machine has it (s3rver, the test server, does not check V4 signatures).
#include "workloads/sigv4.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>

using namespace fbload;

class TestSigV4 : public QObject {
    Q_OBJECT
private slots:
    void sha256OfEmpty()
    {
        QCOMPARE(QString::fromStdString(sigv4::sha256Hex("")),
                 QString("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    }

    void iamListUsersExample()
    {
        sigv4::Request r;
        r.method = "GET";
        r.canonicalUri = "/";
        r.query = {{"Version", "2010-05-08"}, {"Action", "ListUsers"}};  // unsorted on purpose
        r.headers = {{"Host", "iam.amazonaws.com"},
                     {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                     {"X-Amz-Date", "20150830T123600Z"}};
        r.payloadHash = sigv4::sha256Hex("");
        const sigv4::Credentials c{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1", "iam"};
        const std::string canonical = sigv4::canonicalRequest(r);
        QCOMPARE(QString::fromStdString(canonical),
                 QString("GET\n/\nAction=ListUsers&Version=2010-05-08\n"
                         "content-type:application/x-www-form-urlencoded; charset=utf-8\n"
                         "host:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
                         "content-type;host;x-amz-date\n"
                         "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        QCOMPARE(QString::fromStdString(sigv4::sha256Hex(canonical)),
                 QString("f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59"));
        QCOMPARE(QString::fromStdString(sigv4::toHex(sigv4::signingKey(c, "20150830"))),
                 QString("c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"));
        QCOMPARE(QString::fromStdString(sigv4::authorization(r, c, "20150830T123600Z")),
                 QString("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
                         "SignedHeaders=content-type;host;x-amz-date, "
                         "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"));
    }

    void s3GetObjectExample()
    {
        const std::string empty = sigv4::sha256Hex("");
        sigv4::Request r{"GET", "/test.txt", {},
                         {{"host", "examplebucket.s3.amazonaws.com"}, {"range", "bytes=0-9"},
                          {"x-amz-content-sha256", empty}, {"x-amz-date", "20130524T000000Z"}},
                         empty};
        const sigv4::Credentials c{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1", "s3"};
        QCOMPARE(QString::fromStdString(sigv4::authorization(r, c, "20130524T000000Z")),
                 QString("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                         "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                         "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"));
        // A different secret must change the signature (the test can fail).
        const sigv4::Credentials wrong{c.accessKey, "x", c.region, c.service};
        QVERIFY(sigv4::authorization(r, wrong, "20130524T000000Z") != sigv4::authorization(r, c, "20130524T000000Z"));
    }

    void encoding()
    {
        QCOMPARE(QString::fromStdString(sigv4::uriEncode("a b/c~d*e", false)), QString("a%20b/c~d%2Ae"));
        QCOMPARE(QString::fromStdString(sigv4::uriEncode("a/b", true)), QString("a%2Fb"));
        QCOMPARE(QString::fromStdString(sigv4::canonicalQuery({{"uploads", ""}})), QString("uploads="));
        QCOMPARE(QString::fromStdString(sigv4::canonicalQuery({{"prefix", "x/y"}, {"list-type", "2"}, {"max-keys", "5"}})),
                 QString("list-type=2&max-keys=5&prefix=x%2Fy"));
    }

    void agreesWithBotocore()
    {
        QProcess probe;
        probe.start("python3", {"-c", "import botocore"});
        if (!probe.waitForFinished(20000) || probe.exitCode() != 0)
            QSKIP("python3 with botocore is not installed");
        struct Case {
            std::string method, path;
            std::vector<std::pair<std::string, std::string>> query;
            std::string body;
        };
        const std::vector<Case> cases = {
            {"PUT", "/fbload/" + sigv4::uriEncode("fbload/obj-1", false), {}, "hello"},
            {"POST", "/fbload/" + sigv4::uriEncode("a b+c/ü~obj", false), {{"uploads", ""}}, ""},
            {"PUT", "/fbload/mp/obj-0", {{"uploadId", "2~abc+/=="}, {"partNumber", "3"}}, std::string(1000, 'x')},
            {"POST", "/fbload/mp/obj-0", {{"uploadId", "xyz"}}, "<CompleteMultipartUpload></CompleteMultipartUpload>"},
            {"GET", "/fbload", {{"prefix", "fbload/x y"}, {"max-keys", "1000"}, {"list-type", "2"}}, ""},
            {"DELETE", "/fbload/obj-9", {}, ""},
        };
        const sigv4::Credentials c{"S3RVER", "S3RVER/secret+", "eu-west-3", "s3"};
        const std::string date = "20261123T120000Z";
        QJsonArray input;
        QStringList mine;
        for (const Case& k : cases) {
            const std::string hash = sigv4::sha256Hex(k.body);
            sigv4::Request r{k.method, k.path, k.query,
                             {{"host", "127.0.0.1:9000"}, {"x-amz-content-sha256", hash}, {"x-amz-date", date}}, hash};
            // The URL as the s3 workload sends it: path, then the canonical query.
            std::string url = "http://127.0.0.1:9000" + k.path;
            if (!k.query.empty())
                url += "?" + sigv4::canonicalQuery(k.query);
            input.append(QJsonObject{{"method", QString::fromStdString(k.method)}, {"url", QString::fromStdString(url)},
                                     {"body", QString::fromStdString(k.body)}, {"hash", QString::fromStdString(hash)}});
            const std::string auth = sigv4::authorization(r, c, date);
            mine << QString::fromStdString(auth.substr(auth.find("Signature=") + 10));
        }
        const char* script = R"PY(
import json, sys
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
auth = S3SigV4Auth(Credentials("S3RVER", "S3RVER/secret+"), "s3", "eu-west-3")
for c in json.load(sys.stdin):
    req = AWSRequest(method=c["method"], url=c["url"], data=c["body"].encode(),
                     headers={"X-Amz-Date": "20261123T120000Z", "X-Amz-Content-SHA256": c["hash"]})
    req.context["timestamp"] = "20261123T120000Z"
    print(auth.signature(auth.string_to_sign(req, auth.canonical_request(req)), req))
)PY";
        QProcess py;
        py.start("python3", {"-c", script});
        QVERIFY(py.waitForStarted());
        py.write(QJsonDocument(input).toJson());
        py.closeWriteChannel();
        QVERIFY(py.waitForFinished(30000));
        QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
        const QStringList theirs = QString::fromUtf8(py.readAllStandardOutput()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(theirs.size(), mine.size());
        for (int i = 0; i < mine.size(); ++i)
            QVERIFY2(mine[i] == theirs[i], qPrintable(QString("case %1: fbload %2, botocore %3").arg(i).arg(mine[i], theirs[i])));
    }

    void headerValuesAreTrimmed()
    {
        sigv4::Request r{"GET", "/", {}, {{"X-A", "  a   b  "}}, "UNSIGNED-PAYLOAD"};
        QCOMPARE(QString::fromStdString(sigv4::canonicalRequest(r)), QString("GET\n/\n\nx-a:a b\n\nx-a\nUNSIGNED-PAYLOAD"));
    }
};

QTEST_APPLESS_MAIN(TestSigV4)
#include "tst_sigv4.moc"
