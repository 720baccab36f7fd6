#!/usr/bin/perl
# fetch_items.t - FETCH of every item (RFC 3501 6.4.5, RFC 3516) on real
# MIME messages: ENVELOPE, BODY and BODYSTRUCTURE compared with the exact
# expected strings, body sections (HEADER, HEADER.FIELDS[.NOT], TEXT,
# MIME, part numbers, a nested message/rfc822), partials, BINARY /
# BINARY.SIZE (base64 decoded, literal8 for NUL bytes), RFC822.*, the
# macros, and UID FETCH always carrying UID.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd));

my $m1 = Murder::MsgIMAP::msg(<<'M');
From: Alice Example <alice@example.com>
To: bob@example.com
Cc: "Carol" <carol@example.org>, dave@example.net
Subject: Hello world
Date: Mon, 7 Feb 1994 21:52:25 -0800
Message-ID: <m1@example.com>
Content-Type: text/plain; charset=us-ascii

Hello Bob,
this is line two.
M
my $m2 = Murder::MsgIMAP::msg(<<'M');
From: bob@example.com
To: alice@example.com
Subject: parts
Date: Tue, 8 Feb 1994 10:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="XX"

preamble
--XX
Content-Type: text/plain

first part
--XX
Content-Type: application/octet-stream
Content-Transfer-Encoding: base64

AAECAwQF
--XX
Content-Type: message/rfc822

From: carol@example.org
Subject: inner

inner body
--XX--
M

my $n = Murder::MsgIMAP::node(users => ['alice']);
my $c = Murder::MsgIMAP::client($n, 'alice', 'INBOX');
like(Murder::MsgIMAP::append($c, 'INBOX', $m1), qr/^\S+ OK/, 'append m1');
like(Murder::MsgIMAP::append($c, 'INBOX', $m2), qr/^\S+ OK/, 'append m2');
Murder::MsgIMAP::cmd($c, 'NOOP');

# fetch1 - FETCH (or UID FETCH) and return the single untagged response
sub fetch1 {
    my ($what) = @_;
    my ($ok, @u) = Murder::MsgIMAP::cmd($c, $what);
    like($ok, qr/^\S+ OK/, "$what: OK");
    is(scalar(@u), 1, "$what: one response") or diag explain \@u;
    return $u[0] // '';
}

my $env1 = '("Mon, 7 Feb 1994 21:52:25 -0800" "Hello world" '
    . '(("Alice Example" NIL "alice" "example.com")) '
    . '(("Alice Example" NIL "alice" "example.com")) '
    . '(("Alice Example" NIL "alice" "example.com")) '
    . '((NIL NIL "bob" "example.com")) '
    . '(("Carol" NIL "carol" "example.org")(NIL NIL "dave" "example.net")) '
    . 'NIL NIL "<m1@example.com>")';
is(fetch1('FETCH 1 ENVELOPE'), "* 1 FETCH (ENVELOPE $env1)", 'ENVELOPE');
is(fetch1('FETCH 1 BODYSTRUCTURE'),
   '* 1 FETCH (BODYSTRUCTURE ("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL '
   . '"7BIT" 31 2 NIL NIL NIL NIL))', 'BODYSTRUCTURE of text/plain');
is(fetch1('FETCH 1 BODY'),
   '* 1 FETCH (BODY ("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 31 2))',
   'BODY of text/plain');
is(fetch1('FETCH 1 RFC822.SIZE'), '* 1 FETCH (RFC822.SIZE ' . length($m1) . ')',
   'RFC822.SIZE');
like(fetch1('FETCH 1 INTERNALDATE'),
     qr/^\* 1 FETCH \(INTERNALDATE "[ \d]\d-[A-Z][a-z]{2}-\d{4} \d\d:\d\d:\d\d [-+]\d{4}"\)$/,
     'INTERNALDATE');
like(fetch1('FETCH 1 FAST'),
     qr/^\* 1 FETCH \(FLAGS \(\) INTERNALDATE "[^"]+" RFC822.SIZE \d+\)$/, 'FAST');
like(fetch1('FETCH 1 ALL'), qr/RFC822.SIZE \d+ ENVELOPE \(/, 'ALL');
like(fetch1('FETCH 1 FULL'), qr/ENVELOPE .* BODY \("TEXT"/, 'FULL');
is(fetch1('UID FETCH 2 FLAGS'), '* 2 FETCH (UID 2 FLAGS ())',
   'UID FETCH includes UID');

# multipart: structure, sections, nested message, binary
my $bs2 = fetch1('FETCH 2 BODYSTRUCTURE');
# a Content-Type without charset gives no parameters; a missing one is
# the RFC 2045 default, text/plain; charset=us-ascii
is($bs2, '* 2 FETCH (BODYSTRUCTURE (("TEXT" "PLAIN" NIL NIL NIL '
   . '"7BIT" 10 1 NIL NIL NIL NIL)'
   . '("APPLICATION" "OCTET-STREAM" NIL NIL NIL "BASE64" 8 NIL NIL NIL NIL)'
   . '("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 53 '
   . '(NIL "inner" ((NIL NIL "carol" "example.org")) ((NIL NIL "carol" "example.org")) '
   . '((NIL NIL "carol" "example.org")) NIL NIL NIL NIL NIL) '
   . '("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 10 1 NIL NIL NIL NIL) 4 '
   . 'NIL NIL NIL NIL) "MIXED" ("BOUNDARY" "XX") NIL NIL NIL))',
   'BODYSTRUCTURE of multipart with message/rfc822');

my %sec = (
    'BODY.PEEK[1]' => ['BODY[1]', "first part"],
    'BODY.PEEK[1.MIME]' => ['BODY[1.MIME]', "Content-Type: text/plain\r\n\r\n"],
    'BODY.PEEK[3.HEADER]' => ['BODY[3.HEADER]',
                              "From: carol\@example.org\r\nSubject: inner\r\n\r\n"],
    'BODY.PEEK[3.TEXT]' => ['BODY[3.TEXT]', "inner body"],
    'BODY.PEEK[3.1]' => ['BODY[3.1]', "inner body"],
    'BODY.PEEK[HEADER.FIELDS (subject DATE)]' =>
        ['BODY[HEADER.FIELDS (SUBJECT DATE)]',
         "Subject: parts\r\nDate: Tue, 8 Feb 1994 10:00:00 +0000\r\n\r\n"],
    'BODY.PEEK[HEADER.FIELDS.NOT (From To Subject Date Content-Type)]' =>
        ['BODY[HEADER.FIELDS.NOT (FROM TO SUBJECT DATE CONTENT-TYPE)]',
         "MIME-Version: 1.0\r\n\r\n"],
    'BODY.PEEK[]<0.10>' => ['BODY[]<0>', "From: bob\@"],
    'BODY.PEEK[TEXT]<0.8>' => ['BODY[TEXT]<0>', "preamble"],
    'BODY.PEEK[1]<6.100>' => ['BODY[1]<6>', "part"],
    'BODY.PEEK[9]' => ['BODY[9]', ""],
    'BINARY.PEEK[1]' => ['BINARY[1]', "first part"],
);
for my $item (sort keys %sec) {
    my ($name, $data) = @{$sec{$item}};
    my $lit = '{' . length($data) . "}\r\n" . $data;
    is(fetch1("FETCH 2 $item"), "* 2 FETCH ($name $lit)", $item);
}
is(fetch1('FETCH 2 BINARY.PEEK[2]'), "* 2 FETCH (BINARY[2] ~{6}\r\n\x00\x01\x02\x03\x04\x05)",
   'BINARY of base64 is decoded, as literal8');
is(fetch1('FETCH 2 BINARY.SIZE[2]'), '* 2 FETCH (BINARY.SIZE[2] 6)', 'BINARY.SIZE');
is(fetch1('FETCH 2 BODY.PEEK[2]'), "* 2 FETCH (BODY[2] {8}\r\nAAECAwQF)",
   'BODY of base64 is not decoded');
is(fetch1('FETCH 1 RFC822.HEADER'),
   '* 1 FETCH (RFC822.HEADER {' . (index($m1, "\r\n\r\n") + 4) . "}\r\n"
   . substr($m1, 0, index($m1, "\r\n\r\n") + 4) . ')', 'RFC822.HEADER');
is(fetch1('UID FETCH 1 (BODY.PEEK[] RFC822.SIZE)'),
   '* 1 FETCH (UID 1 RFC822.SIZE ' . length($m1) . ' BODY[] {' . length($m1)
   . "}\r\n$m1)", 'BODY[] is the whole message');

# bad item lists are BAD, nothing sent
for my $bad ('FETCH 1 (FAST)', 'FETCH 1 BODY[0]', 'FETCH 1 BODY[TEXT]<1>',
             'FETCH 1 BINARY[HEADER]', 'FETCH 1 XYZZY', 'FETCH 1 ()') {
    my ($ok, @u) = Murder::MsgIMAP::cmd($c, $bad);
    like($ok, qr/^\S+ BAD/, "$bad is BAD");
    is(scalar(@u), 0, "$bad sends nothing");
}
$c->cmd('LOGOUT');
$n->stop;
done_testing;
