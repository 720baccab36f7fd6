#!/usr/bin/perl
# retr_top_list.t - on real messages: STAT counts the messages and sums
# the sizes LIST gives; LIST n; RETR sends the stored bytes with lines
# starting with "." dot-stuffed, and its unstuffed length equals the LIST
# size; TOP n 0 sends the header and the blank line only, TOP n 1 one body
# line more; bad message numbers are -ERR and the session goes on.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::POP3;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd pop3d));

my @msgs = map { Murder::MsgIMAP::msg($_) } (
    "Subject: one\n\nfirst body\n",
    "Subject: dots\nX-Dot: y\n\n.leading dot\n..two dots\n.\nend\n",
    "Subject: three\n\nl1\nl2\nl3\n",
);
my $n = Murder::POP3::node(users => ['alice']);
Murder::POP3::append($n, 'alice', @msgs);
my $c = Murder::POP3->connect($n);
like($c->login('alice'), qr/^\+OK/, 'login');
my $total = 0;
$total += length for @msgs;
is($c->cmd('STAT'), "+OK 3 $total", 'STAT: count and octets');
my ($ok, @list) = $c->multi('LIST');
like($ok, qr/^\+OK/, 'LIST');
is_deeply(\@list, [map { ($_ + 1) . ' ' . length($msgs[$_]) } 0 .. 2], 'LIST sizes');
is($c->cmd('LIST 2'), '+OK 2 ' . length($msgs[1]), 'LIST 2');

my $raw;
($ok, $raw) = $c->raw_multi('RETR 2');
like($ok, qr/^\+OK/, 'RETR 2');
is($raw, "Subject: dots\r\nX-Dot: y\r\n\r\n..leading dot\r\n...two dots\r\n"
       . "..\r\nend\r\n.\r\n", 'dot-stuffed on the wire');
(my $unstuffed = $raw) =~ s/\r\n\.\r\n\z/\r\n/;
$unstuffed =~ s/^\.//mg;
is(length($unstuffed), length($msgs[1]), 'unstuffed length = LIST size');
is($unstuffed, $msgs[1], 'unstuffed = the message');

($ok, $raw) = $c->raw_multi('TOP 3 0');
like($ok, qr/^\+OK/, 'TOP 3 0');
is($raw, "Subject: three\r\n\r\n.\r\n", 'header and blank line only');
($ok, $raw) = $c->raw_multi('TOP 3 1');
is($raw, "Subject: three\r\n\r\nl1\r\n.\r\n", 'TOP 3 1: one body line');
($ok, $raw) = $c->raw_multi('TOP 1 100');
is($raw, "Subject: one\r\n\r\nfirst body\r\n.\r\n", 'TOP past the end: all');

like($c->cmd('RETR 4'), qr/^-ERR /, 'RETR 4: no such message');
like($c->cmd('RETR 0'), qr/^-ERR /, 'RETR 0');
like($c->cmd('RETR x'), qr/^-ERR /, 'RETR x');
like($c->cmd('RETR'), qr/^-ERR /, 'RETR without a number');
like($c->cmd('TOP 1'), qr/^-ERR /, 'TOP without a line count');
like($c->cmd('LIST 9'), qr/^-ERR /, 'LIST 9');
is($c->cmd('NOOP'), '+OK Nothing done', 'session goes on');
$n->stop;
done_testing;
