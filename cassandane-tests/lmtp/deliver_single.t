#!/usr/bin/perl
# deliver_single.t - LHLO advertises PIPELINING, ENHANCEDSTATUSCODES,
# 8BITMIME and SIZE; one message to one recipient is answered 250 2.1.5
# after DATA and is then committed in user.alice with the bytes sent,
# behind a Return-Path and a Received header.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::LMTP;

skip_unless_built(qw(master lmtpd mbtool));

my $n = Murder::LMTP::lmtpd_node(users => ['alice']);
my $c = Murder::LMTP->connect($n);
like($c->greeting, qr/^220 /, 'greeting');
my $lhlo = $c->cmd('LHLO mta.example');
like($lhlo, qr/^250-PIPELINING$/m, 'PIPELINING');
like($lhlo, qr/^250-ENHANCEDSTATUSCODES$/m, 'ENHANCEDSTATUSCODES');
like($lhlo, qr/^250-8BITMIME$/m, '8BITMIME');
like($lhlo, qr/^250[- ]SIZE/m, 'SIZE');
unlike($lhlo, qr/AUTH/, 'no AUTH for a preauthorized peer');
$c->{lhlo} = $lhlo;
my $msg = Murder::LMTP::message(subject => 'single');
my $r = $c->deliver('sender@example.com', ['alice@example.com'], $msg);
like($r->{mail}, qr/^250 2\.1\.0/, 'MAIL');
like($r->{rcpt}[0], qr/^250 2\.1\.5/, 'RCPT');
like($r->{data354}, qr/^354 /, 'DATA go-ahead');
is(scalar @{$r->{data}}, 1, 'one reply after DATA');
like($r->{data}[0], qr/^250 2\.1\.5/, 'delivered');
my @m = Murder::LMTP::messages($n, 'user.alice');
is(scalar @m, 1, 'one message in INBOX');
my $text = Murder::LMTP::message_text($m[0]);
like($text, qr/\AReturn-Path: <sender\@example\.com>\r\nReceived: from mta\.example /,
     'trace headers first');
ok(substr($text, -length $msg) eq $msg, 'message bytes as sent');
is($m[0]{size}, length $text, 'record size is the file size');
like($c->cmd('QUIT'), qr/^221 2\.0\.0/, 'QUIT');
ok($n->wait_for_log(qr/delivered rcpt=<alice\@example\.com> mailbox=<user\.alice> uid=<1>/, 5),
   'delivery logged');
done_testing;
