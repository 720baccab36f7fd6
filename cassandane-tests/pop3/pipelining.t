#!/usr/bin/perl
# pipelining.t - PIPELINING (RFC 2449): commands sent in one write are all
# answered, in order, including multi-line replies.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::POP3;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd pop3d));

my $n = Murder::POP3::node(users => ['alice']);
Murder::POP3::append($n, 'alice', Murder::MsgIMAP::msg("Subject: 1\n\nbody\n"));
my $c = Murder::POP3->connect($n);
$c->send("USER alice\r\nPASS alice-pw\r\nSTAT\r\nUIDL\r\nRETR 1\r\nNOOP\r\nQUIT\r\n");
like($c->line, qr/^\+OK/, 'USER');
like($c->line, qr/^\+OK/, 'PASS');
like($c->line, qr/^\+OK 1 \d+$/, 'STAT');
like($c->line, qr/^\+OK/, 'UIDL');
like($c->line, qr/^1 \d+\.\d+$/, 'UIDL line');
is($c->line, '.', 'UIDL end');
like($c->line, qr/^\+OK \d+ octets/, 'RETR');
is($c->line, 'Subject: 1', 'header');
is($c->line, '', 'blank');
is($c->line, 'body', 'body');
is($c->line, '.', 'RETR end');
is($c->line, '+OK Nothing done', 'NOOP');
like($c->line, qr/^\+OK /, 'QUIT');
ok($c->at_eof, 'closed');
$n->stop;
done_testing;
