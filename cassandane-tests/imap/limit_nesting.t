#!/usr/bin/perl
# limit_nesting.t - before login lists nest at most 2 deep: a deeper list
# is BAD and skipped, a list of depth 2 parses; too many arguments is BAD;
# the session goes on.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::RawIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::RawIMAP::imapd_node(config => { maxbadcommands_preauth => 10 });
my $c = Murder::RawIMAP->connect($n);
like(scalar $c->cmd('ID ((("x" "y")))'), qr/^t1 BAD .*nest/i, 'depth 3 is BAD');
like(scalar $c->cmd('ID (("x" "y"))'), qr/^t2 BAD/, 'depth 2 parses (ID then refuses it)');
unlike(scalar $c->cmd('ID (("x" "y"))'), qr/nest/i, 'not a nesting error');
like(scalar $c->cmd('NOOP ' . join(' ', ('a') x 40)), qr/^t4 BAD .*(many|arg)/i,
     'too many arguments');
like(scalar $c->cmd('NOOP'), qr/^t5 OK/, 'session goes on');
$n->stop;
done_testing;
