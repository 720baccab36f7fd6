#!/usr/bin/perl
# auth_plain.t - AUTH (RFC 5034): without arguments it lists the
# mechanisms; AUTH PLAIN with an initial response logs in; without one the
# server sends "+ " and takes the response; "*" cancels with -ERR and a new
# AUTH works; a wrong password is -ERR [AUTH]; an unknown mechanism is
# -ERR; proxy authorization is refused for an ordinary user.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::POP3;

skip_unless_built(qw(master imapd pop3d));

my $plain = \&Murder::RawIMAP::plain;
my $n = Murder::POP3::node(users => ['alice', 'bob']);
my $c = Murder::POP3->connect($n);
my ($ok, @mechs) = $c->multi('AUTH');
like($ok, qr/^\+OK/, 'AUTH lists');
ok((grep { $_ eq 'PLAIN' } @mechs), 'PLAIN listed');
like($c->cmd('AUTH NOSUCHMECH'), qr/^-ERR /, 'unknown mechanism');

like($c->cmd('AUTH PLAIN'), qr/^\+ ?$/, 'empty challenge without initial response');
like($c->cmd('*'), qr/^-ERR /, 'cancelled');
like($c->cmd('AUTH PLAIN'), qr/^\+ ?$/, 'again');
like($c->cmd($plain->('', 'alice', 'wrong')), qr/^-ERR \[AUTH\] /, 'wrong password');
like($c->cmd('AUTH PLAIN ' . $plain->('bob', 'alice', 'alice-pw')),
     qr/^-ERR /, 'alice may not act as bob');
like($c->cmd('AUTH PLAIN'), qr/^\+ ?$/, 'third try');
like($c->cmd($plain->('', 'alice', 'alice-pw')), qr/^\+OK/, 'response line logs in');
ok($n->wait_for_log(qr/login ok user=<alice> mech=<PLAIN>/, 5), 'logged');
like($c->cmd('STAT'), qr/^\+OK 0 0$/, 'in TRANSACTION');

my $d = Murder::POP3->connect($n);
like($d->cmd('AUTH plain ' . $plain->('', 'bob', 'bob-pw')), qr/^\+OK/,
     'initial response logs in');
like($d->cmd('STAT'), qr/^\+OK/, 'in TRANSACTION');
$n->stop;
done_testing;
