#!/usr/bin/perl
# login.t - LOGIN with quoted and literal arguments succeeds and is logged
# "login ok user=<alice> mech=<plaintext> tls=<0>"; a wrong password and an
# unknown user get the same NO [AUTHENTICATIONFAILED] (no user
# enumeration) and are logged "login failed"; LOGIN after login is BAD.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::RawIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::RawIMAP::imapd_node();
my $c = Murder::RawIMAP->connect($n);
my $bad_pw = $c->login('alice', 'wrong');
my $bad_user = $c->login('nosuchuser', 'wrong');
like($bad_pw, qr/^t1 NO \[AUTHENTICATIONFAILED\] /, 'wrong password: NO');
(my $a = $bad_pw) =~ s/^t1 //;
(my $b = $bad_user) =~ s/^t2 //;
is($b, $a, 'unknown user gets the same answer');
ok($n->wait_for_log(qr/login failed user=<alice> mech=<plaintext> reason=</, 5),
   'failure logged');

# literals: the server sends "+" for each synchronising literal
my $tag = $c->next_tag;
$c->send("$tag LOGIN {5}\r\n");
like($c->line, qr/^\+ /, 'continuation for the user name literal');
$c->send("alice {8}\r\n");
like($c->line, qr/^\+ /, 'continuation for the password literal');
$c->send("alice-pw\r\n");
like(scalar $c->until_tag($tag), qr/^\Q$tag\E OK \[CAPABILITY /, 'LOGIN with literals');
ok($n->wait_for_log(qr/login ok user=<alice> mech=<plaintext> tls=<0> authzid=<> .*user=<alice>/, 5),
   'login ok logged with session user');
like(scalar $c->cmd('LOGIN alice alice-pw'), qr/^t\d+ BAD Already logged in/,
     'LOGIN after login is BAD');
$c->cmd('LOGOUT');

my $d = Murder::RawIMAP->connect($n);
like($d->login('bob', 'bob-pw'), qr/^t1 OK/, 'quoted LOGIN of another user');
$n->stop;
done_testing;
