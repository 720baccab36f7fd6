#!/usr/bin/perl
# dele_drop.t - DELE then a dropped connection (no QUIT): the session
# never reaches UPDATE, so nothing is removed; likewise a QUIT sent in
# AUTHORIZATION state changes nothing.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::POP3;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd pop3d));

my $n = Murder::POP3::node(users => ['alice']);
Murder::POP3::append($n, 'alice', map { Murder::MsgIMAP::msg("Subject: $_\n\nb\n") } 1 .. 2);
my $c = Murder::POP3->connect($n);
like($c->login('alice'), qr/^\+OK/, 'login');
like($c->cmd('DELE 1'), qr/^\+OK/, 'DELE 1');
like($c->cmd('DELE 2'), qr/^\+OK/, 'DELE 2');
$c->close;
sleep(1);   # let that session see the EOF and end (it must not update)
my $d = Murder::POP3->connect($n);
like($d->login('alice'), qr/^\+OK/, 'new session');
like($d->cmd('STAT'), qr/^\+OK 2 /, 'both messages still there');
ok(!$n->log_lines(qr/pop3 update/), 'no update happened');
$n->stop;
done_testing;
