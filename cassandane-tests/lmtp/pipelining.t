#!/usr/bin/perl
# pipelining.t - a whole transaction sent in one write (LHLO, MAIL, two
# RCPTs, DATA, the message, QUIT) is answered in order: RFC 2920.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::LMTP;

skip_unless_built(qw(master lmtpd mbtool));

my $n = Murder::LMTP::lmtpd_node(users => [qw(alice bob)]);
my $c = Murder::LMTP->connect($n);
$c->send("LHLO x\r\nMAIL FROM:<s\@x>\r\nRCPT TO:<alice\@x>\r\nRCPT TO:<bob\@x>\r\n" .
         "DATA\r\n" . Murder::LMTP::message() . ".\r\nNOOP\r\nQUIT\r\n");
my @r = map { $c->reply } 1 .. 9;
like($r[0], qr/^250-/, 'LHLO');
like($r[1], qr/^250 2\.1\.0/, 'MAIL');
like($r[2], qr/^250 2\.1\.5/, 'RCPT alice');
like($r[3], qr/^250 2\.1\.5/, 'RCPT bob');
like($r[4], qr/^354 /, 'DATA');
like($r[5], qr/^250 2\.1\.5/, 'alice delivered');
like($r[6], qr/^250 2\.1\.5/, 'bob delivered');
like($r[7], qr/^250 2\.0\.0/, 'NOOP');
like($r[8], qr/^221 /, 'QUIT');
is(scalar(Murder::LMTP::messages($n, 'user.bob')), 1, 'stored');
done_testing;
