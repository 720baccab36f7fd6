#!/usr/bin/perl
# too_many_bad.t - bad commands are counted: before login the
# (maxbadcommands_preauth + 1)th gets "* BYE Too many invalid commands" and
# the connection closes; good commands in between do not reset the count;
# the next client is served.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::RawIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::RawIMAP::imapd_node(config => { maxbadcommands_preauth => 3 });
my $c = Murder::RawIMAP->connect($n);
like(scalar $c->cmd('XYZZY'), qr/^t1 BAD Unknown command/, 'bad 1');
like(scalar $c->cmd('SELECT INBOX'), qr/^t2 BAD Please login first/, 'bad 2');
like(scalar $c->cmd('NOOP'), qr/^t3 OK/, 'good one');
$c->send("garbage\r\n");
like($c->line, qr/^\S+ BAD/, 'bad 3');
my ($ok, @u) = $c->cmd('XYZZY');
like($ok // $c->line // '', qr/BAD|BYE/, 'bad 4 answered');
ok($c->at_eof, 'connection closed');
ok(grep(/^\* BYE Too many invalid commands/, @u, @{$c->{tail}}), 'BYE Too many invalid commands');
ok($n->wait_for_log(qr/PROTOERR too many bad commands/, 5), 'logged');
my $d = Murder::RawIMAP->connect($n);
like(scalar $d->cmd('NOOP'), qr/^t1 OK/, 'next client served');
$n->stop;
done_testing;
