#!/usr/bin/perl
# idle.t - IDLE (RFC 2177): "+ idling", then another session's APPEND
# shows up as "* n EXISTS" and its STORE as "* n FETCH (FLAGS ...)"
# within a second, without the idler sending anything; DONE ends it with
# OK; anything else than DONE is BAD.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::MsgIMAP::node(users => ['alice']);
my $c = Murder::MsgIMAP::client($n, 'alice', 'INBOX');
my $d = Murder::MsgIMAP::client($n, 'alice', 'INBOX');
my $msg = Murder::MsgIMAP::msg("Subject: s\n\nbody\n");
Murder::MsgIMAP::append($d, 'INBOX', $msg);
Murder::MsgIMAP::cmd($c, 'NOOP');

$c->send("i1 IDLE\r\n");
is($c->line(5), '+ idling', 'continuation');
like(Murder::MsgIMAP::append($d, 'INBOX', $msg), qr/^\S+ OK/, 'other session appends');
is($c->line(1.5), '* 2 EXISTS', 'EXISTS within a second');
Murder::MsgIMAP::cmd($d, 'NOOP');
Murder::MsgIMAP::cmd($d, 'STORE 1 +FLAGS.SILENT (\Flagged)');
like($c->line(1.5) // '', qr/^\* 1 FETCH \(FLAGS \(\\Flagged\)/, 'flag change within a second');
$c->send("DONE\r\n");
like($c->line(5) // '', qr/^i1 OK/, 'DONE ends IDLE');

$c->send("i2 IDLE\r\n");
is($c->line(5), '+ idling', 'second IDLE');
$c->send("NOPE\r\n");
like($c->line(5) // '', qr/^i2 BAD/, 'not DONE is BAD');
like(scalar Murder::MsgIMAP::cmd($c, 'NOOP'), qr/^\S+ OK/, 'session goes on');
$n->stop;
done_testing;
