#!/usr/bin/perl
# user_pass.t - USER/PASS logs in ("login ok user=<alice> mech=<plaintext>
# tls=<0>"); a wrong password and an unknown user get the same
# "-ERR [AUTH] ..." (no user enumeration) and are logged "login failed";
# PASS without USER is -ERR; after maxauthfailures failures the connection
# is closed.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::POP3;

skip_unless_built(qw(master imapd pop3d));

my $n = Murder::POP3::node(users => ['alice'], config => { maxauthfailures => 2 });
my $c = Murder::POP3->connect($n);
like($c->cmd('PASS x'), qr/^-ERR /, 'PASS without USER');
my $bad_pw = $c->login('alice', 'wrong');
like($bad_pw, qr/^-ERR \[AUTH\] /, 'wrong password: -ERR [AUTH]');
my $d = Murder::POP3->connect($n);
my $bad_user = $d->login('nosuchuser', 'wrong');
is($bad_user, $bad_pw, 'unknown user gets the same answer');
ok($n->wait_for_log(qr/login failed user=<alice> mech=<plaintext> reason=</, 5),
   'failure logged');
like($c->login('alice'), qr/^\+OK/, 'right password after a failure');
ok($n->wait_for_log(qr/login ok user=<alice> mech=<plaintext> tls=<0>/, 5),
   'login ok logged');
like($c->cmd('QUIT'), qr/^\+OK/, 'QUIT');

# maxauthfailures 2: the second failure closes the connection
like($d->login('alice', 'wrong'), qr/^-ERR \[AUTH\] /, 'second failure answered');
ok($d->at_eof, 'then the connection is closed');
like(join("\n", @{$d->{tail}}), qr/Too many/, 'with a reason');
$n->stop;
done_testing;
